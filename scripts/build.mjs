#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. Code splitting keeps each command (and heavy
// dependencies such as undici or ink) in its own chunk, loaded only when that command runs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {}

rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: false,
  // Native addons and the React stack stay in node_modules: koffi has a .node binary, ink is
  // loaded only for live progress on a TTY.
  external: ['koffi', 'ink', 'react', 'react/*', 'yoga-layout', 'yoga-layout/*'],
  banner: {
    // Bundled CommonJS dependencies (yargs helpers, tar) expect require().
    js: "import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);",
  },
  define: {
    __TSC_CTR_VERSION__: JSON.stringify(pkg.version),
    __TSC_CTR_BUILT__: JSON.stringify(new Date().toISOString()),
    __TSC_CTR_COMMIT__: JSON.stringify(commit),
  },
  logLevel: 'warning',
});
