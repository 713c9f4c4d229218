// `system migrate` and `system reset` against a real store, pause process and containers.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runCli, type Storage, userTempDir } from '../harness/index.js';

const h = harness();

/** A process that is running (not gone, not a zombie waiting for a parent that never reaps). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes whose command line is exactly `argv` (a marker no other test uses). */
function pidsRunning(argv: string[]): number[] {
  const want = argv.join('\0') + '\0';
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'latin1') === want && alive(Number(d))) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function pausePid(s: Storage): number {
  return Number(readFileSync(join(s.runroot, 'pause.pid'), 'utf8').trim());
}

async function waitFor(pred: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

describe('system reset', () => {
  let storage: Storage;
  const marker = ['sleep', String(86000 + (process.pid % 300))];

  beforeAll(async () => {
    storage = newStorage();
    expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
    const r = await runCli(['run', '-d', '--name', 'keeper', 'alpine', ...marker], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await waitFor(() => pidsRunning(marker).length === 1)).toBe(true);
  });

  it('without -f and with stdin at its end (CI): asks, fails with status 1, removes nothing', async () => {
    const r = await runCli(['system', 'reset'], { storage });
    expect(r.stdout).toMatch(/^WARNING! This will remove:/);
    expect(r.stdout).toContain(`storage root: ${storage.root}`);
    expect(r.stdout).toMatch(/Are you sure you want to continue\? \[y\/N\] /);
    expect(r.stderr).toBe('Error: no answer on standard input: nothing was removed (use --force where nobody can answer)\n');
    expect(r.code).toBe(1);
    expect(pidsRunning(marker)).toHaveLength(1);
    const ps = await runCli(['ps', '--format', '{{.Names}}'], { storage });
    expect(ps.stdout).toBe('keeper\n');
  });

  it('answered "n": exit 0, nothing removed', async () => {
    const r = await runCli(['system', 'reset'], { storage, input: 'n\n' });
    expect(r.stdout).toMatch(/nothing was removed/);
    expect(r.code).toBe(0);
    expect(pidsRunning(marker)).toHaveLength(1);
    expect(existsSync(join(storage.root, 'images.json'))).toBe(true);
  });

  it('-f stops the containers and removes the storage root, the run root and the pause process', async () => {
    const pause = pausePid(storage);
    expect(alive(pause)).toBe(true);
    const r = await runCli(['system', 'reset', '-f'], { storage });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(pidsRunning(marker)).toEqual([]);
    expect(existsSync(storage.root)).toBe(false);
    expect(existsSync(storage.runroot)).toBe(false);
    expect(await waitFor(() => !alive(pause))).toBe(true);
    // the store is usable again from scratch
    const ps = await runCli(['ps', '-a', '--format', '{{.Names}}'], { storage });
    expect(ps.stdout).toBe('');
    expect(ps.code).toBe(0);
    const images = await runCli(['images', '-q'], { storage });
    expect(images.stdout).toBe('');
    const run = await runCli(['run', '--rm', 'alpine', 'echo', 'again'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('again\n');
    expect(run.code).toBe(0);
  });

  it.skipIf(!h.root)('rootful: -f removes a running container and the store', async () => {
    const s = newStorage({ asRoot: true });
    const m = ['sleep', String(87000 + (process.pid % 300))];
    expect((await runCli(['pull', '-q', 'alpine'], { storage: s, timeoutMs: 120_000 })).code).toBe(0);
    expect((await runCli(['run', '-d', 'alpine', ...m], { storage: s })).code).toBe(0);
    expect(await waitFor(() => pidsRunning(m).length === 1)).toBe(true);
    const r = await runCli(['system', 'reset', '--force'], { storage: s });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(pidsRunning(m)).toEqual([]);
    expect(existsSync(s.root)).toBe(false);
    expect(existsSync(s.runroot)).toBe(false);
  });
});

describe('system migrate', () => {
  let storage: Storage;

  beforeAll(async () => {
    storage = newStorage();
    expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
  });

  it.skipIf(!h.user.subuid || !h.user.subgid)('stops running containers and the pause process; the next command maps the ranges as they are now', async () => {
    // The namespace is first made from a smaller range than the user has (what /etc/subuid said
    // before an admin grew it): newuidmap allows any part of the user's real range.
    const dir = userTempDir('subid-');
    const u = h.user.subuid!;
    const g = h.user.subgid!;
    writeFileSync(join(dir, 'subuid'), `${h.user.name}:${u.start}:1000\n`);
    writeFileSync(join(dir, 'subgid'), `${h.user.name}:${g.start}:1000\n`);
    const small = { TSC_CTR_SUBUID_FILE: join(dir, 'subuid'), TSC_CTR_SUBGID_FILE: join(dir, 'subgid') };
    // the pull made a pause process with the full range: end it first
    expect((await runCli(['system', 'migrate'], { storage })).code).toBe(0);
    const before = await runCli(['unshare', 'cat', '/proc/self/uid_map'], { storage, env: small });
    expect(before.stdout.trim().split(/\s+/)).toEqual(['0', String(h.user.uid), '1', '1', String(u.start), '1000']);

    const marker = ['sleep', String(88000 + (process.pid % 300))];
    const d = await runCli(['run', '-d', '--name', 'svc', 'alpine', ...marker], { storage });
    expect(d.code).toBe(0);
    const id = d.stdout.trim();
    expect(await waitFor(() => pidsRunning(marker).length === 1)).toBe(true);
    const oldPause = pausePid(storage);

    // the files are back to the full range, but the pause process keeps the old maps
    const still = await runCli(['unshare', 'cat', '/proc/self/uid_map'], { storage });
    expect(still.stdout).toBe(before.stdout);

    const m = await runCli(['system', 'migrate'], { storage });
    expect(m.stderr).toBe('');
    expect(m.stdout).toBe(`stopped ${id}\n`);
    expect(m.code).toBe(0);
    expect(pidsRunning(marker)).toEqual([]);
    expect(await waitFor(() => !alive(oldPause))).toBe(true);
    const ps = await runCli(['ps', '-a', '--format', '{{.Names}} {{.State}}'], { storage });
    expect(ps.stdout).toBe('svc exited\n');

    const after = await runCli(['unshare', 'cat', '/proc/self/uid_map'], { storage });
    expect(after.stdout.trim().split(/\s+/)).toEqual(['0', String(h.user.uid), '1', '1', String(u.start), String(u.count)]);
    expect(pausePid(storage)).not.toBe(oldPause);

    // the container starts again in the new namespace, and a new one runs
    const start = await runCli(['start', 'svc'], { storage });
    expect(start.code).toBe(0);
    expect(await waitFor(() => pidsRunning(marker).length === 1)).toBe(true);
    const run = await runCli(['run', '--rm', 'alpine', 'sh', '-c', 'touch /tmp/f && chown 2000:2000 /tmp/f && stat -c %u /tmp/f'], { storage });
    expect(run.stdout).toBe('2000\n');
    expect(run.code).toBe(0);
    expect((await runCli(['rm', '-f', 'svc'], { storage })).code).toBe(0);
  });

  it('with nothing running: no output, and the next command still works', async () => {
    const m = await runCli(['system', 'migrate'], { storage });
    expect(m.stdout).toBe('');
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const r = await runCli(['run', '--rm', 'alpine', 'true'], { storage });
    expect(r.code).toBe(0);
  });

  it.skipIf(!h.root)('rootful: stops the running containers', async () => {
    const s = newStorage({ asRoot: true });
    expect((await runCli(['pull', '-q', 'alpine'], { storage: s, timeoutMs: 120_000 })).code).toBe(0);
    const d = await runCli(['run', '-d', 'alpine', 'sleep', '300'], { storage: s });
    expect(d.code).toBe(0);
    const m = await runCli(['system', 'migrate'], { storage: s });
    expect(m.stdout).toBe(`stopped ${d.stdout.trim()}\n`);
    expect(m.code).toBe(0);
    const ps = await runCli(['ps', '-q'], { storage: s });
    expect(ps.stdout).toBe('');
  });
});
