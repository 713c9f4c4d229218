import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** False when the tests run as an ordinary user: then "the user" is that user. */
  created: boolean;
}

export const TEST_USER = 'tscctr-test';

function passwdEntry(name: string): { uid: number; gid: number; home: string } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

/** A free subordinate range start: above every range in the file, at least 200000. */
export function freeSubIdStart(text: string, count = 65536): number {
  let top = 200000;
  for (const l of text.split('\n')) {
    const m = /^[^:#\s]+:(\d+):(\d+)$/.exec(l.trim());
    if (m) top = Math.max(top, Number(m[1]) + Number(m[2]));
  }
  return Math.ceil(top / count) * count;
}

function ensureSubIds(file: string, name: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text.split('\n').some((l) => l.startsWith(`${name}:`))) return;
  const start = freeSubIdStart(text);
  execFileSync('sh', ['-c', `printf '%s\\n' "${name}:${start}:65536" >> ${file}`]);
}

/**
 * As root: an unprivileged user with /etc/subuid and /etc/subgid ranges for the rootless tests
 * (created once, kept between runs). Otherwise the current user.
 */
export function ensureTestUser(): TestUser {
  if (process.getuid?.() !== 0) {
    const name = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    return { name, uid: process.getuid!(), gid: process.getgid!(), home: process.env.HOME!, created: false };
  }
  if (!passwdEntry(TEST_USER)) {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', TEST_USER]);
  }
  ensureSubIds('/etc/subuid', TEST_USER);
  ensureSubIds('/etc/subgid', TEST_USER);
  // As a normal distro has them: containers' network helpers and fuse-overlayfs need these.
  for (const dev of ['/dev/net/tun', '/dev/fuse']) {
    try {
      chmodSync(dev, 0o666);
    } catch {
      /* not present: system check reports it */
    }
  }
  const e = passwdEntry(TEST_USER)!;
  return { name: TEST_USER, uid: e.uid, gid: e.gid, home: e.home, created: true };
}

/** The repo must be reachable by the test user (CI clones under root-owned dirs). */
export function checkRepoReachable(repo: string): string | undefined {
  let d = repo;
  for (;;) {
    const st = statSync(d);
    if ((st.mode & 0o001) === 0) return `${d} is not searchable by other users (chmod o+x ${d})`;
    if (d === '/') return undefined;
    d = dirname(d);
  }
}

/** Make the repo's parents searchable by the test user (CI clones into root's directories). */
export function openRepoPath(repo: string): void {
  let d = repo;
  while (d !== '/') {
    const st = statSync(d);
    if ((st.mode & 0o005) !== 0o005) chmodSync(d, st.mode | 0o005);
    d = dirname(d);
  }
}

/** Pause processes and containers the user left behind (between test files / runs). */
export function killUserProcesses(user: TestUser): void {
  if (!user.created) return;
  spawnSync('pkill', ['-KILL', '-u', String(user.uid)]);
}
