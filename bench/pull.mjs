#!/usr/bin/env node
// Cold pull of a multi-layer image (≥ 100 MB unpacked) from a loopback registry (issue 3):
// wall time of `pull` into an empty store (median of BENCH_RUNS, default 3, each into a fresh
// storage root) and the bytes that store then takes on disk (du of the storage root), next to
// the time it takes just to download the blobs. Side by side with rootless
// `podman pull --storage-driver overlay` when podman is installed.
// Goals: ≤ 0.8× Podman's pull time, ≤ 1.05× its bytes on disk.
// Usage (as the user whose rootless performance you want; root measures rootful mode):
//   node bench/pull.mjs [--mb N]
// The image is built with umoci from random and compressible data and pushed with skopeo to a
// docker-registry (Debian's distribution 2.8) started on 127.0.0.1 for the run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const MB = arg('mb', 120);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const bin = fileURLToPath(new URL('../bin/tsc-ctr', import.meta.url));
const rootless = process.getuid?.() !== 0;

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || '').trim()}`);
  return r.stdout;
}
const mib = (b) => (b / 1024 / 1024).toFixed(1);

const work = mkdtempSync(join(tmpdir(), 'tsc-bench-pull-'));
let registry;
const cleanups = [];
function cleanup() {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      /* best effort */
    }
  }
  registry?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

// ---- registry -----------------------------------------------------------------------------------
const port = await new Promise((resolve, reject) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
  s.on('error', reject);
});
const host = `127.0.0.1:${port}`;
writeFileSync(
  join(work, 'registry.yml'),
  `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry')}\nhttp:\n  addr: ${host}\n`,
);
registry = spawn('docker-registry', ['serve', join(work, 'registry.yml')], { stdio: 'ignore' });
// the exit handler stops it; it must not keep the event loop (and so this bench) alive
registry.unref();
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://${host}/v2/`)).status === 200) break;
  } catch {
    /* not yet */
  }
  if (i > 400) throw new Error('docker-registry did not start (apt-get install docker-registry)');
  await new Promise((r) => setTimeout(r, 50));
}

// ---- image: 5 layers, built with umoci ----------------------------------------------------------
const layout = join(work, 'layout');
const image = `${layout}:big`;
run('umoci', ['init', '--layout', layout]);
run('umoci', ['new', '--image', image]);
const share = MB / 120;
const text = (i) => `${i}: the quick brown fox jumps over the lazy dog; lorem ipsum dolor sit amet\n`;
const layers = [
  // many small text files, like /usr/share
  (r) => {
    for (let d = 0; d < Math.round(60 * share); d++) {
      const dir = join(r, 'usr/share/doc', `pkg${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(dir, `f${f}.txt`), text(f).repeat(20 + ((f * 37) % 60)));
    }
  },
  // big binaries, half compressible, like /usr/lib
  (r) => {
    mkdirSync(join(r, 'usr/lib'), { recursive: true });
    const chunk = Buffer.concat([randomBytes(512 * 1024), Buffer.alloc(512 * 1024, 'abcdefgh')]);
    for (let i = 0; i < Math.round(8 * share); i++) writeFileSync(join(r, 'usr/lib', `lib${i}.so`), Buffer.concat(Array(5).fill(chunk)));
  },
  // incompressible data
  (r) => {
    mkdirSync(join(r, 'opt/data'), { recursive: true });
    for (let i = 0; i < Math.round(3 * share); i++) writeFileSync(join(r, 'opt/data', `blob${i}.bin`), randomBytes(10 * 1024 * 1024));
  },
  // compressible logs
  (r) => {
    mkdirSync(join(r, 'var/log'), { recursive: true });
    for (let i = 0; i < Math.round(4 * share); i++) writeFileSync(join(r, 'var/log', `app${i}.log`), text(i).repeat(Math.round((5 * 1024 * 1024) / 80)));
  },
  // a small top layer that deletes and changes things
  (r) => {
    rmSync(join(r, 'usr/share/doc/pkg0'), { recursive: true, force: true });
    mkdirSync(join(r, 'etc'), { recursive: true });
    writeFileSync(join(r, 'etc/app.conf'), 'setting = 1\n');
  },
];
const bundle = join(work, 'bundle');
for (const layer of layers) {
  rmSync(bundle, { recursive: true, force: true });
  run('umoci', ['unpack', ...(rootless ? ['--rootless'] : []), '--image', image, bundle]);
  layer(join(bundle, 'rootfs'));
  run('umoci', ['repack', '--image', image, bundle]);
}
rmSync(bundle, { recursive: true, force: true });
run('umoci', ['config', '--image', image, '--config.cmd', '/bin/sh']);
const ref = `${host}/bench/big:latest`;
run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${image}`, `docker://${ref}`]);

const manifest = JSON.parse(run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]));
const compressed = manifest.layers.reduce((n, l) => n + l.size, 0);
const blobFile = (digest) => join(work, 'registry/docker/registry/v2/blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data');
const unpacked = manifest.layers.reduce((n, l) => n + gunzipSync(readFileSync(blobFile(l.digest))).length, 0);

// ---- download only: every blob fetched (in parallel) and dropped ---------------------------------
const downloads = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await Promise.all(
    manifest.layers.map(async (l) => {
      const r = await fetch(`http://${host}/v2/bench/big/blobs/${l.digest}`);
      for await (const _ of r.body) void _;
    }),
  );
  downloads.push(performance.now() - t);
}
const downloadMs = median(downloads);

// ---- tools ---------------------------------------------------------------------------------------
const runRoot = join(work, 'tsc-run');
const tsc = {
  name: 'tsc-ctr',
  env: { ...process.env, TSC_CTR_RUNROOT: runRoot },
  pull(root) {
    run(process.execPath, [bin, '--root', root, 'pull', '-q', '--tls-verify=false', ref], { env: this.env });
  },
  // files owned by subordinate ids: measured and deleted from inside the user namespace
  inNs: (root) => (rootless ? [process.execPath, bin, '--root', root, 'unshare'] : ['env']),
};
cleanups.push(() => {
  const pid = Number(readFileSync(join(runRoot, 'pause.pid'), 'utf8'));
  if (pid > 0) process.kill(pid, 'SIGKILL');
});
const tools = [tsc];
const podman = which('podman');
if (podman) {
  const podmanArgs = (root) => ['--root', root, '--runroot', join(work, 'podman-run'), '--storage-driver', 'overlay'];
  tools.push({
    name: 'podman',
    env: process.env,
    pull(root) {
      run(podman, [...podmanArgs(root), 'pull', '-q', '--tls-verify=false', ref]);
    },
    inNs: (root) => (rootless ? [podman, ...podmanArgs(root), 'unshare'] : ['env']),
  });
}

const results = [];
for (const t of tools) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const root = join(work, `${t.name}-root-${i}`);
    const start = performance.now();
    t.pull(root);
    times.push(performance.now() - start);
    const ns = t.inNs(root);
    bytes = Number(run(ns[0], [...ns.slice(1), 'du', '-s', '--block-size=1', root], { env: t.env }).split('\t')[0]);
    run(ns[0], [...ns.slice(1), 'rm', '-rf', root], { env: t.env });
  }
  results.push({ name: t.name, ms: median(times), bytes });
}

console.log(
  `node ${process.version}, ${rootless ? 'rootless' : 'root (rootful)'}, median of ${RUNS} cold pulls; image: ${manifest.layers.length} layers, ` +
    `${mib(compressed)} MiB compressed, ${mib(unpacked)} MiB of tar; download alone ${downloadMs.toFixed(0)} ms`,
);
console.log('tool'.padEnd(10) + 'pull ms'.padStart(10) + 'on disk MiB'.padStart(14) + 'disk/tar'.padStart(10));
for (const r of results) console.log(r.name.padEnd(10) + r.ms.toFixed(0).padStart(10) + mib(r.bytes).padStart(14) + (r.bytes / unpacked).toFixed(2).padStart(10));
const pm = results.find((r) => r.name === 'podman');
if (pm) {
  const ours = results[0];
  console.log(`pull time: ${(ours.ms / pm.ms).toFixed(2)}× Podman (goal ≤ 0.8×); bytes on disk: ${(ours.bytes / pm.bytes).toFixed(2)}× (goal ≤ 1.05×)`);
} else {
  console.log('podman: not installed here, no side-by-side (issue 3 reference: Podman pulls a 70 MiB 5-layer Debian image in ≈ 4.4 s, download ≈ 0.3 s)');
}
