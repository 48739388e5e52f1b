import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** What `npm run build` compiles into dist/ (tsconfig.build.json), and the file it keeps its state in. */
const SOURCES = ['src', 'migrations'];
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');

function* filesEndingWith(dir: string, suffix: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesEndingWith(path, suffix);
    else if (entry.name.endsWith(suffix)) yield path;
  }
}

/** What the build turns into dist/: TypeScript (compiled) and the pages' stylesheet, script and translations (copied). */
const sourceFiles = (dir: string) => [...filesEndingWith(dir, '')].filter((f) => /\.(tsx?|css|js|json)$/.test(f) && !/\.spec\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
/** Where the build puts a source file: compiled to .js, or copied as it is. */
const builtPath = (rel: string) => join(ROOT, 'dist', rel.replace(/\.tsx?$/, '.js'));

/**
 * Compiled files whose source is gone (moved or deleted) are removed: the
 * build leaves them behind, and TypeORM would still load an old entity or
 * migration by its file pattern.
 */
function removeOrphans(): void {
  for (const dir of SOURCES) {
    for (const js of filesEndingWith(join(ROOT, 'dist', dir), '.js')) {
      const source = join(ROOT, relative(join(ROOT, 'dist'), js));
      if (existsSync(source) || existsSync(source.replace(/\.js$/, '.ts')) || existsSync(source.replace(/\.js$/, '.tsx'))) continue;
      process.stderr.write(`\n[test setup] ${relative(ROOT, js)}: its source is gone, removed\n`);
      rmSync(js);
      rmSync(`${js}.map`, { force: true });
    }
  }
}

/** The first source file that dist/ does not reflect (missing, or edited since the last build), if any. */
function staleSource(): string | null {
  if (!existsSync(BUILD_INFO)) return 'dist/';
  const built = statSync(BUILD_INFO).mtimeMs;
  for (const dir of SOURCES) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const rel = relative(ROOT, file);
      if (statSync(file).mtimeMs > built || !existsSync(builtPath(rel))) return rel;
    }
  }
  return null;
}

/**
 * The service processes the tests start run the built code (`node
 * dist/src/main.js`, as `npm start` does), not the sources through ts-node (a
 * few seconds of compiling per start). So that they never run stale code,
 * `npm run build` (incremental) runs first whenever a source file is newer
 * than the last build, whether jest was started by `npm test` or directly;
 * and a compiled file whose source is gone is removed.
 */
export function ensureFreshBuild(): void {
  removeOrphans();
  const stale = staleSource();
  if (!stale) return;
  process.stderr.write(`\n[test setup] ${stale} is newer than the build: npm run build\n`);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  // An up-to-date incremental build may leave its state file as it was: mark this check as done.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}
