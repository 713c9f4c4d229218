#!/usr/bin/env node
// Layer unpacking: our unpacker (src/storage/unpack, bundled on the fly with esbuild) vs GNU tar
// vs node-tar's extract, on a many-small-files layer and a few-big-files layer (or a real layer:
// BENCH_LAYER=/path/to/layer.tar[.gz|.zst]). Median of BENCH_RUNS (default 3) runs each, into
// fresh directories. Usage: node bench/unpack.mjs [--files N] [--mb N]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const FILES = arg('files', 50_000);
const MB = arg('mb', 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const work = mkdtempSync(join(tmpdir(), 'tsc-bench-unpack-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// ---- our unpacker, bundled ---------------------------------------------------------------------
const { build } = await import('esbuild');
symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
await build({
  entryPoints: [join(repo, 'src/storage/unpack/index.ts')],
  outfile: join(work, 'unpack.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  logLevel: 'error',
});
const { unpackLayer } = await import(join(work, 'unpack.mjs'));
const nodeTar = await import('tar');

// ---- datasets ----------------------------------------------------------------------------------
function makeSmallFiles(dir, n) {
  const perDir = 100;
  for (let d = 0; d * perDir < n; d++) {
    const sub = join(dir, `d${Math.floor(d / 20)}`, `s${d}`);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < perDir && d * perDir + i < n; i++) {
      // text-like content, 0–4 KiB, compressible like real layers
      const len = (i * 397) % 4096;
      writeFileSync(join(sub, `f${i}.txt`), `line ${i} of ${sub}\n`.repeat(Math.ceil(len / 40)).slice(0, len));
    }
  }
}

function makeBigFiles(dir, mb) {
  mkdirSync(dir, { recursive: true });
  const chunk = Buffer.concat([randomBytes(512 * 1024), Buffer.alloc(512 * 1024, 'abcdefgh')]); // half compressible
  for (let i = 0; i < Math.max(1, Math.round(mb / 5)); i++) {
    writeFileSync(join(dir, `blob${i}.bin`), Buffer.concat(Array.from({ length: 5 }, () => chunk)));
  }
}

function dataset(name, fill) {
  const src = join(work, `${name}-src`);
  mkdirSync(src);
  fill(src);
  const plain = join(work, `${name}.tar`);
  execFileSync('tar', ['--format=pax', '-cf', plain, '-C', src, '.']);
  execFileSync('gzip', ['-k', '-6', plain]);
  rmSync(src, { recursive: true, force: true });
  return { name, plain, gz: `${plain}.gz` };
}

const sets = [];
if (process.env.BENCH_LAYER) {
  const l = process.env.BENCH_LAYER;
  const plain = join(work, 'real.tar');
  if (l.endsWith('.gz') || l.endsWith('.tgz')) execFileSync('sh', ['-c', `gzip -dc '${l}' > '${plain}'`]);
  else if (l.endsWith('.zst')) execFileSync('zstd', ['-q', '-d', l, '-o', plain]);
  else execFileSync('cp', [l, plain]);
  execFileSync('gzip', ['-k', '-6', plain]);
  sets.push({ name: 'real layer', plain, gz: `${plain}.gz` });
} else {
  sets.push(dataset(`${FILES} small files`, (d) => makeSmallFiles(d, FILES)));
  sets.push(dataset(`${MB} MB in big files`, (d) => makeBigFiles(d, MB)));
}

// ---- runners -----------------------------------------------------------------------------------
let n = 0;
const fresh = () => {
  const d = join(work, `out${n++}`);
  mkdirSync(d);
  return d;
};

const runners = {
  'GNU tar': async (file, gz, dest) => {
    const r = spawnSync('tar', [gz ? '-xzpf' : '-xpf', file, '-C', dest]);
    if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  },
  'tsc-ctr unpack': async (file, gz, dest) => {
    await unpackLayer(createReadStream(file), dest, { compression: gz ? 'gzip' : 'none', rootless: false });
  },
  'node-tar extract': async (file, gz, dest) => {
    await nodeTar.x({ file, cwd: dest, preserveOwner: true, gzip: gz });
  },
};

async function time(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const dest = fresh();
    const t0 = process.hrtime.bigint();
    await fn(dest);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    rmSync(dest, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [];
for (const s of sets) {
  for (const [label, file, gz] of [
    ['tar', s.plain, false],
    ['tar.gz', s.gz, true],
  ]) {
    const res = {};
    for (const [name, fn] of Object.entries(runners)) res[name] = await time((dest) => fn(file, gz, dest));
    rows.push({ set: `${s.name} (${label}, ${(statSync(file).size / 1e6).toFixed(1)} MB)`, ...res });
  }
}

// ---- table ---------------------------------------------------------------------------------------
const names = Object.keys(runners);
const head = ['archive', ...names.map((x) => `${x} ms`), 'ours/GNU', 'node-tar/GNU'];
const body = rows.map((r) => [
  r.set,
  ...names.map((x) => r[x].toFixed(0)),
  `${(r['tsc-ctr unpack'] / r['GNU tar']).toFixed(2)}×`,
  `${(r['node-tar extract'] / r['GNU tar']).toFixed(2)}×`,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`median of ${RUNS} runs, node ${process.version}, ${process.getuid?.() === 0 ? 'root' : 'non-root'}`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const b of body) console.log(line(b));
