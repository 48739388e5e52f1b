export URL=postgres://postgres:convoca@127.0.0.1:55432/b1m
