#!/usr/bin/env node
// Container hot paths (issue 4), side by side with Podman when it is installed:
//   1. `run --rm IMG true` wall time (median), the pause process already up;
//   2. memory added per idle `run -d IMG sleep` container: RSS of everything that stays resident
//      for it besides its own payload (conmon, a network helper), read from /proc;
//   3. `ps -a` wall time with 50 containers present.
// Goals: run --rm ≤ 0.8× Podman (Podman measured here ≈ 147 ms), memory per container ≤ Podman's
// (≈ 5.6 MiB), ps -a with 50 ≤ Podman's time.
// Usage (as the user whose rootless performance you want; root measures rootful mode):
//   node bench/containers.mjs [runs]
// The image is made from the host's busybox-static through each tool's own `import`, so the
// bench needs no registry and no network.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const bin = fileURLToPath(new URL('../bin/tsc-ctr', import.meta.url));
const IDLE = 5;
const PS_COUNT = 50;

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A rootfs tarball with busybox and its applet links: the same bytes for both tools. */
function busyboxTar(dir) {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  for (const applet of ['sh', 'true', 'sleep', 'echo', 'ls', 'cat', 'id', 'ps']) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  const tar = join(dir, 'busybox.tar');
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.']);
  return tar;
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every process whose command line names the container id (conmon, network helpers). */
function processesNaming(id) {
  const out = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(id)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Resident memory that exists because of the container besides its payload: conmon and any
 * network helper name the container id on their command lines; the payload does not.
 */
function overheadKiB(id) {
  return processesNaming(id).reduce((sum, pid) => sum + rssKiB(pid), 0);
}

class Tool {
  constructor(name, argv0, prefix, env) {
    this.name = name;
    this.argv0 = argv0;
    this.prefix = prefix;
    this.env = env;
  }
  run(args, opts = {}) {
    const r = spawnSync(this.argv0, [...this.prefix, ...args], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    if (r.status !== 0) throw new Error(`${this.name} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  time(args) {
    const t = performance.now();
    this.run(args);
    return performance.now() - t;
  }
}

const work = mkdtempSync(join(tmpdir(), 'tsc-ctr-bench-'));
const tar = busyboxTar(work);
const tools = [
  new Tool('tsc-ctr', process.execPath, [bin], {
    ...process.env,
    TSC_CTR_ROOT: join(work, 'tsc-root'),
    TSC_CTR_RUNROOT: join(work, 'tsc-run'),
  }),
];
const podman = which('podman');
if (podman) tools.push(new Tool('podman', podman, [], process.env));

const results = [];
try {
  for (const t of tools) {
    const image = `localhost/tsc-bench-busybox-${process.pid}`;
    t.run(['import', '-q', tar, image]);
    t.run(['run', '--rm', '--network', 'none', image, 'true']); // warm-up: pause process, page cache
    const runMs = median(Array.from({ length: runs }, () => t.time(['run', '--rm', image, 'true'])));

    const ids = Array.from({ length: IDLE }, () => t.run(['run', '-d', image, 'sleep', '1000']).trim());
    const perContainer = ids.map((id) => overheadKiB(id));
    const memKiB = perContainer.reduce((a, b) => a + b, 0) / ids.length;
    t.run(['rm', '-f', '-t', '0', ...ids]);

    const created = Array.from({ length: PS_COUNT }, () => t.run(['create', image, 'true']).trim());
    t.run(['ps', '-a']);
    const psMs = median(Array.from({ length: runs }, () => t.time(['ps', '-a'])));
    t.run(['rm', '-f', ...created]);
    t.run(['rmi', image]);
    results.push({ name: t.name, runMs, memKiB, psMs });
  }
} finally {
  spawnSync('rm', ['-rf', work], { stdio: 'ignore' });
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${process.getuid?.() === 0 ? 'root (rootful)' : 'rootless'}, median of ${runs} runs`);
console.log('tool'.padEnd(10) + 'run --rm true ms'.padStart(18) + `RSS per idle ctr MiB`.padStart(22) + `ps -a (${PS_COUNT}) ms`.padStart(16));
for (const r of results) {
  console.log(r.name.padEnd(10) + r.runMs.toFixed(0).padStart(18) + (r.memKiB / 1024).toFixed(1).padStart(22) + r.psMs.toFixed(0).padStart(16));
}
const ours = results[0];
const ref = results.find((r) => r.name === 'podman') ?? { name: 'podman (issue 4 figures)', runMs: 147, memKiB: 5.6 * 1024, psMs: NaN };
console.log(`reference: ${ref.name}`);
console.log(`run --rm: ${(ours.runMs / ref.runMs).toFixed(2)}× (goal ≤ 0.8×); memory: ${(ours.memKiB / ref.memKiB).toFixed(2)}× (goal ≤ 1×)` +
  (Number.isNaN(ref.psMs) ? '' : `; ps -a: ${(ours.psMs / ref.psMs).toFixed(2)}× (goal ≤ 1×)`));
