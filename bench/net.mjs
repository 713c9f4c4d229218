#!/usr/bin/env node
// Container→host throughput over pasta and slirp4netns, side by side: busybox `wget --post-file`
// in a container sends BENCH_MB (default 256) MiB to an HTTP sink on the host, reached as
// host.containers.internal; the sink times first to last byte. Median of BENCH_RUNS (default 3)
// runs per helper, interleaved so machine load hits both alike. The image is the test fixture
// (busybox-static) pushed to a throwaway loopback registry, pulled into a throwaway store.
// Run it as the unprivileged user for rootless numbers. Usage: node bench/net.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'bin', 'tsc-ctr');
const MB = Number(process.env.BENCH_MB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HELPERS = (process.env.BENCH_HELPERS ?? 'pasta;slirp4netns').split(';'); // e.g. 'pasta;pasta:--mtu,16384;slirp4netns'

const work = mkdtempSync(join(tmpdir(), 'tsc-bench-net-'));
const store = ['--root', join(work, 'root'), '--runroot', join(work, 'run')];
let registry;
function cli(args, opts = {}) {
  const r = spawnSync(process.execPath, [bin, ...store, ...args], { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`tsc-ctr ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}
async function cleanup() {
  try {
    spawnSync(process.execPath, [bin, ...store, 'rm', '-af', '-t', '0'], { stdio: 'ignore' });
    const pause = Number(readFileSync(join(work, 'run', 'pause.pid'), 'utf8'));
    if (pause > 1) process.kill(pause, 'SIGKILL');
  } catch {
    /* nothing started */
  }
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
}

// ---- fixture image in a loopback registry ------------------------------------------------------
const { build } = await import('esbuild');
symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
await build({
  stdin: { contents: `export * from './test/harness/registry.ts'; export * from './test/harness/fixtures.ts';`, resolveDir: repo, loader: 'ts' },
  outfile: join(work, 'harness.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
});
const h = await import(join(work, 'harness.mjs'));
try {
  registry = await h.startRegistry({ parentDir: work });
  const src = h.buildImage(join(work, 'layout'), 'busybox', { layers: [h.busyboxLayer], config: h.BUSYBOX_CONFIG });
  h.pushImage(src, `${registry.host}/bench/busybox:latest`);
  const image = `${registry.host}/bench/busybox:latest`;
  cli(['pull', '-q', '--tls-verify=false', image]);

  // ---- the sink ----------------------------------------------------------------------------------
  let last;
  const sink = createServer((req, res) => {
    let n = 0;
    let first = 0n;
    let end = 0n;
    req.on('data', (d) => {
      if (!first) first = process.hrtime.bigint();
      n += d.length;
      end = process.hrtime.bigint();
    });
    req.on('end', () => {
      last = { bytes: n, sec: Number(end - first) / 1e9 };
      res.end('ok\n');
    });
  });
  await new Promise((r) => sink.listen(0, '0.0.0.0', r));
  const port = sink.address().port;

  const script = `head -c ${MB}m /dev/zero | tr '\\0' x > /dev/shm/big && wget -q -O- --post-file /dev/shm/big http://host.containers.internal:${port}/`;
  const results = Object.fromEntries(HELPERS.map((n) => [n, []]));
  const failures = Object.fromEntries(HELPERS.map((n) => [n, 0]));
  for (let i = 0; i < RUNS; i++) {
    for (const helper of HELPERS) {
      last = undefined;
      const ok = await new Promise((resolve, reject) => {
        // async spawn: the sink lives in this process and must keep answering
        import('node:child_process').then(({ spawn }) => {
          const c = spawn(process.execPath, [bin, ...store, 'run', '--rm', '--network', helper, '--shm-size', `${MB + 64}m`, image, 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          c.stderr.on('data', (d) => (err += d));
          c.on('close', (code) => {
            if (code === 0) return resolve(true);
            // a failed transfer is a result too (this pasta build resets some large uploads)
            console.error(`${helper}: run ${i + 1} failed: ${err.trim()}`);
            resolve(false);
          });
          c.on('error', reject);
        });
      });
      if (!ok) {
        failures[helper]++;
        continue;
      }
      if (!last || last.bytes !== MB * 1024 * 1024) throw new Error(`${helper}: the sink got ${last?.bytes} bytes`);
      results[helper].push((last.bytes * 8) / last.sec / 1e9);
    }
  }
  sink.close();

  const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
  console.log(`container -> host, ${MB} MiB per run, ${RUNS} runs per helper (busybox wget --post-file to a host HTTP sink)`);
  const w = Math.max(14, ...HELPERS.map((h) => h.length + 2));
  console.log('helper'.padEnd(w) + 'median Gbit/s'.padStart(15) + '   runs (Gbit/s)');
  for (const helper of HELPERS) {
    const fails = failures[helper] ? `   ${failures[helper]} failed` : '';
    console.log(helper.padEnd(w) + median(results[helper]).toFixed(2).padStart(15) + '   ' + results[helper].map((x) => x.toFixed(2)).join(' ') + fails);
  }
  const cache = join(process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache'), 'tsc-ctr', 'network-helper.json');
  try {
    const c = JSON.parse(readFileSync(process.getuid() === 0 ? '/var/cache/tsc-ctr/network-helper.json' : cache, 'utf8'));
    console.log(`default helper (tsc-ctr's own measurement, ${c.measuredAt}): ${c.name} ${JSON.stringify(c.gbits)}`);
  } catch {
    console.log('default helper: not measured yet (the first container on the default network measures it)');
  }
  console.log('podman: not installed here; issue 5 quotes Podman 4.3.1 slirp4netns at 4.6-6.7 Gbit/s container->host on this machine type');
} finally {
  await cleanup();
}
