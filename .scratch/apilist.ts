import 'reflect-metadata';
import { startApi } from '../bench/lib/api';
import { drive, pinSelf } from '../bench/lib/load';
const url = process.env.URL!;
const PASSWORD = 'bench password long enough';
(async () => {
  pinSelf();
  const api = await startApi({ fromSource: false, pin: true, env: { DATABASE_URL: url, RUN_MIGRATIONS: 'false', CONVOCA_DATA_DIR: '/tmp/apisearch', DB_STATEMENT_TIMEOUT_MS: '60000', TRUST_PROXY: 'true' } });
  try {
    const res = await fetch(`${api.base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@bench.example', password: PASSWORD }) });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const paths = ['m4242', 'Quispe', 'Rosa Mamani'].map((q) => `/api/v1/members?q=${encodeURIComponent(q)}`);
    const list = async (tag: string) => { const r = await drive({ url: api.origin, connections: 50, duration: 5, paths: ['/api/v1/events?limit=20'] }); console.error(tag, 'list per s', r.reqPerSec.toFixed(0), 'p50', r.p50.toFixed(1), 'p95', r.p95.toFixed(1)); };
    await list('fresh');
    await list('fresh');
    if (!process.env.NOSEARCH) { const r = await drive({ url: api.origin, connections: 10, duration: 10, headers: auth, paths }); console.error('search p95', r.p95.toFixed(1)); }
    await drive({ url: api.origin, connections: 10, duration: 5, headers: auth, paths: ['/api/v1/members?limit=50'] });
    console.error('--- after search');
    await list('after');
    await list('after');
  } finally { await api.stop(); }
})();
