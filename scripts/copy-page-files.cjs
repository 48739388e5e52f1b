// `npm run build`: the public pages' stylesheet, optional script and translations are not TypeScript, so tsc leaves
// them behind; they go beside the compiled pages (dist/src/pages/), where the service reads them at start.
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const dir of ['static', 'locales']) {
  const to = join(root, 'dist', 'src', 'pages', dir);
  rmSync(to, { recursive: true, force: true });
  cpSync(join(root, 'src', 'pages', dir), to, { recursive: true });
}
