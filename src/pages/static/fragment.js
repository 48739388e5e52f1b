// Links mailed before the pages existed carry their token after `#` (…/signups/manage#token=…), which never
// reaches the server. This moves it into the path, where the page can read it, without a request carrying it
// as a Referer or a log line; pages without JavaScript show how to open the link instead.
(function () {
  var match = /^#token=([A-Za-z0-9_-]{20,200})$/.exec(window.location.hash);
  if (match) window.location.replace(window.location.pathname.replace(/\/$/, '') + '/' + match[1] + window.location.search);
})();
