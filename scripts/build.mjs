#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. Code splitting keeps each command (and heavy
// dependencies such as undici or ink) in its own chunk, loaded only when that command runs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {}

// string-width (under yargs' help layout) builds an Intl.Segmenter at import, which loads ICU
// segmentation data (≈9 ms) on every command; create it on first use instead, and measure
// printable ASCII without it. Same results, less start-up time.
const lazySegmenter = {
  name: 'lazy-intl-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      return {
        contents: src
          .replace(
            /const segmenter = new Intl\.Segmenter\(\);/,
            'let __seg; const segmenter = { segment: (s) => (__seg ??= new Intl.Segmenter()).segment(s) };',
          )
          // Printable ASCII is one column per character: skip grapheme segmentation (help text).
          .replace(
            /export default function stringWidth\((\w+), options = \{\}\) \{/,
            (m, arg) => `${m}\n\tif (typeof ${arg} === 'string' && /^[\\x20-\\x7e]*$/.test(${arg})) return ${arg}.length;`,
          ),
        loader: 'js',
      };
    });
  },
};

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
  // Node 20 has these: keeping them as literals lets V8 compile the big Unicode regexes of
  // string-width lazily instead of at import (≈15 ms of every start-up).
  supported: { 'regexp-set-notation': true, 'regexp-unicode-property-escapes': true, 'regexp-match-indices': true },
  sourcemap: 'linked',
  minify: process.env.TSC_NO_MINIFY ? false : true,
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
  plugins: [lazySegmenter],
  logLevel: 'warning',
});
