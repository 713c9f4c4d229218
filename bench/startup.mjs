#!/usr/bin/env node
// Start-up cost of `tsc-ctr version` and `tsc-ctr --help` against bare `node -e 0`:
// median wall time of many runs, reported as milliseconds above node and as a ratio.
// Target (issue 2): at most 60 ms above bare node. Usage: node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[2] ?? 30);
const bin = fileURLToPath(new URL('../bin/tsc-ctr', import.meta.url));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(cmd, args) {
  // one warm-up run fills the page cache
  spawnSync(cmd, args, { stdio: 'ignore' });
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    xs.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  }
  return median(xs);
}

// Interleave measurements so machine load affects all of them alike.
const cases = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['tsc-ctr version', process.execPath, [bin, 'version']],
  ['tsc-ctr --help', process.execPath, [bin, '--help']],
];
const results = cases.map(([name, cmd, args]) => ({ name, ms: time(cmd, args) }));
const base = results[0].ms;
console.log(`runs per case: ${runs} (median)`);
console.log('case'.padEnd(20) + 'median ms'.padStart(12) + 'above node'.padStart(12) + 'ratio'.padStart(8));
for (const r of results) {
  console.log(r.name.padEnd(20) + r.ms.toFixed(1).padStart(12) + (r.ms - base).toFixed(1).padStart(12) + (r.ms / base).toFixed(2).padStart(8));
}
const worst = Math.max(...results.slice(1).map((r) => r.ms - base));
console.log(`worst: ${worst.toFixed(1)} ms above node (target ≤ 60 ms): ${worst <= 60 ? 'met' : 'not met'}`);
