import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestUser } from './types.js';

export type { TestUser } from './types.js';

export const TEST_USER = 'tscctr-test';
const SUBID_COUNT = 65536;
const SUBID_MIN_START = 200000;

function passwdEntry(name: string): { uid: number; gid: number; home: string } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

/** A user's first range in an /etc/subuid-format text (by name or by uid, as shadow-utils matches). */
export function subIdRange(text: string, name: string, uid: number): { start: number; count: number } | undefined {
  for (const l of text.split('\n')) {
    const m = /^([^:#\s]+):(\d+):(\d+)$/.exec(l.trim());
    if (m && (m[1] === name || m[1] === String(uid))) return { start: Number(m[2]), count: Number(m[3]) };
  }
  return undefined;
}

/**
 * A free subordinate range start: at or above 200000, after every range in the file (so it
 * overlaps none), aligned to the range size.
 */
export function freeSubIdStart(text: string, count = SUBID_COUNT): number {
  let top = SUBID_MIN_START;
  for (const l of text.split('\n')) {
    const m = /^[^:#\s]+:(\d+):(\d+)$/.exec(l.trim());
    if (m) top = Math.max(top, Number(m[1]) + Number(m[2]));
  }
  return Math.ceil(top / count) * count;
}

function readIf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * Give the user a range in /etc/subuid and /etc/subgid if it has none. usermod takes
 * shadow-utils' own lock on the files; the start is computed over both files so uid and gid
 * ranges are the same numbers.
 */
function ensureSubIds(name: string, uid: number): void {
  for (const f of ['/etc/subuid', '/etc/subgid']) if (!existsSync(f)) writeFileSync(f, '', { mode: 0o644 });
  const uids = readIf('/etc/subuid');
  const gids = readIf('/etc/subgid');
  const needU = !subIdRange(uids, name, uid);
  const needG = !subIdRange(gids, name, uid);
  if (!needU && !needG) return;
  const start = Math.max(freeSubIdStart(uids), freeSubIdStart(gids));
  const range = `${start}-${start + SUBID_COUNT - 1}`;
  const args = [...(needU ? ['--add-subuids', range] : []), ...(needG ? ['--add-subgids', range] : []), name];
  const r = spawnSync('usermod', args, { encoding: 'utf8' });
  if (r.status === 0) return;
  // usermod without subordinate-id support (very old shadow): append by hand.
  if (needU) writeFileSync('/etc/subuid', `${name}:${start}:${SUBID_COUNT}\n`, { flag: 'a' });
  if (needG) writeFileSync('/etc/subgid', `${name}:${start}:${SUBID_COUNT}\n`, { flag: 'a' });
}

/**
 * Run `fn` holding a machine-wide lock (a directory: mkdir is atomic), so two test runs
 * started together do not both create the user or both add subordinate ranges.
 */
function withHostLock<T>(fn: () => T): T {
  const lock = '/run/lock/tscctr-test-user.lock';
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A run that died while holding it: the lock is only held for a second or two.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmdirSync(lock);
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no test run is active)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
}

function withRanges(user: Omit<TestUser, 'subuid' | 'subgid'>): TestUser {
  return {
    ...user,
    subuid: subIdRange(readIf('/etc/subuid'), user.name, user.uid),
    subgid: subIdRange(readIf('/etc/subgid'), user.name, user.uid),
  };
}

/**
 * As root: the unprivileged user `tscctr-test` with a home and /etc/subuid and /etc/subgid
 * ranges (created once, kept between runs), and /dev/fuse and /dev/net/tun usable by it as on
 * a normal distribution. Not root: the current user, as it is.
 */
export function ensureTestUser(): TestUser {
  if (process.getuid?.() !== 0) {
    const name = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    const home = process.env.HOME ?? passwdEntry(name)?.home ?? '/tmp';
    return withRanges({ name, uid: process.getuid!(), gid: process.getgid!(), home, created: false });
  }
  const e = withHostLock(() => {
    if (!passwdEntry(TEST_USER)) {
      const r = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', '--comment', 'tsc-ctr tests', TEST_USER], { encoding: 'utf8' });
      // 9: the name exists (another run made it between our check and useradd)
      if (r.status !== 0 && r.status !== 9) throw new Error(`useradd ${TEST_USER} failed: ${(r.stderr || r.error?.message || '').trim()}`);
    }
    const entry = passwdEntry(TEST_USER);
    if (!entry) throw new Error(`useradd did not create ${TEST_USER}`);
    ensureSubIds(TEST_USER, entry.uid);
    return entry;
  });
  mkdirSync(e.home, { recursive: true });
  if (statSync(e.home).uid !== e.uid) execFileSync('chown', [`${e.uid}:${e.gid}`, e.home]);
  for (const dev of ['/dev/net/tun', '/dev/fuse']) {
    try {
      chmodSync(dev, 0o666);
    } catch {
      /* absent: `tsc-ctr system check` reports it */
    }
  }
  return withRanges({ name: TEST_USER, uid: e.uid, gid: e.gid, home: e.home, created: true });
}

/** The first directory on the way to `path` that other users cannot traverse, if any. */
export function untraversableParent(path: string): string | undefined {
  const parts: string[] = [];
  for (let d = path; ; d = dirname(d)) {
    parts.unshift(d);
    if (d === '/') break;
  }
  return parts.find((d) => (statSync(d).mode & 0o001) === 0);
}

/**
 * The test user must read the repository (bin/, dist/, node_modules/) and run node. CI clones
 * as root, often under a root-only directory: there (CI=true) we add o+x to the parents; on
 * a developer's machine we only say what to change.
 */
export function ensureReadableByUser(user: TestUser, files: string[]): void {
  for (const f of files) if (!existsSync(f)) throw new Error(`${f} does not exist`);
  if (!user.created) return;
  for (const f of files) {
    for (let b = untraversableParent(dirname(f)); b; b = untraversableParent(dirname(f))) {
      if (!process.env.CI) {
        throw new Error(`the test user ${user.name} cannot reach ${f}: ${b} is not searchable by other users (chmod o+x ${b}, or put the repository elsewhere)`);
      }
      console.warn(`test harness: chmod o+x ${b} so the test user ${user.name} can reach ${f}`);
      chmodSync(b, statSync(b).mode | 0o001);
    }
  }
  const r = spawnSync('sh', ['-c', 'for f; do test -r "$f" || { echo "$f"; exit 1; }; done', 'sh', ...files], {
    uid: user.uid,
    gid: user.gid,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const file = r.stdout.trim() || files.join(', ');
    throw new Error(`the test user ${user.name} cannot read ${file} (make it world-readable: chmod o+r ${file})`);
  }
}
