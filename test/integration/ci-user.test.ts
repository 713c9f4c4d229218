// A CI job as it really comes: a user made for it, no /etc/subuid entry, no XDG_RUNTIME_DIR,
// stdin not a terminal, storage put on a cache directory through CONTAINERS_STORAGE_CONF.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type RunResult } from '../harness/index.js';
import { RUN_MARKER } from '../harness/cleanup.js';
import { parseSubIdFile, rangeArg, suggestFreeRange } from '../../src/rootless/subid.js';

const h = harness();
const NAME = `tscci${process.pid % 100000}`;
// eslint-disable-next-line no-control-regex
const ESC = /\x1b/;

interface CiUser {
  uid: number;
  gid: number;
  home: string;
}

function passwd(name: string): CiUser | undefined {
  const l = readFileSync('/etc/passwd', 'utf8').split('\n').find((x) => x.startsWith(`${name}:`));
  if (!l) return undefined;
  const f = l.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

/** Live processes of the user (zombies are left to PID 1, which may not reap them here). */
function pidsOf(uid: number): number[] {
  const r = spawnSync('ps', ['-u', String(uid), '-o', 'pid=,stat='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

describe.skipIf(!h.root)('CI-style run: new user, no subuid, no XDG_RUNTIME_DIR, no TTY', () => {
  let user: CiUser;
  let cache: string;

  function ci(args: string[], input = '', extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const env = {
        HOME: user.home,
        USER: NAME,
        LOGNAME: NAME,
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        CONTAINERS_REGISTRIES_CONF: h.registriesConf,
        CONTAINERS_STORAGE_CONF: join(user.home, 'storage.conf'),
        [RUN_MARKER]: h.runId,
        ...extraEnv,
      };
      const c = spawn(h.bin, args, { env, cwd: user.home, uid: user.uid, gid: user.gid, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('error', reject);
      c.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      c.stdin.on('error', () => {});
      c.stdin.end(input);
    });
  }

  beforeAll(() => {
    // a system account: useradd gives it no subordinate ids
    const r = spawnSync('useradd', ['--system', '--create-home', '--home-dir', `/home/${NAME}`, '--shell', '/bin/sh', '--user-group', NAME], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    user = passwd(NAME)!;
    // a run root left by an earlier user with the same uid (a crashed run) must not be reused
    spawnSync('rm', ['-rf', `/tmp/tsc-ctr-run-${user.uid}`]);
    expect(readFileSync('/etc/subuid', 'utf8')).not.toMatch(new RegExp(`^(${NAME}|${user.uid}):`, 'm'));
    cache = join(user.home, 'ci-cache');
    writeFileSync(join(user.home, 'storage.conf'), `# CI cache\n[storage]\ndriver = "overlay"\ngraphroot = "${cache}/storage"\n`);
  });

  afterAll(async () => {
    if (!user) return;
    for (const pid of pidsOf(user.uid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    spawnSync('umount', ['-R', '-l', cache]);
    spawnSync('userdel', ['--remove', NAME]);
    spawnSync('rm', ['-rf', `/tmp/tsc-ctr-run-${user.uid}`, `/home/${NAME}`]);
    expect(passwd(NAME)).toBeUndefined();
    expect(readFileSync('/etc/subuid', 'utf8')).not.toMatch(new RegExp(`^${NAME}:`, 'm'));
  });

  const SINGLE = /^WARN\[0000\] no subordinate ids for user "tscci\d+" \(uid \d+\) in \/etc\/subuid or \/etc\/subgid: using a single id mapping/m;

  it('pulls, runs and removes a container with plain output, warning once about the single id mapping', async () => {
    const pull = await ci(['pull', 'alpine']);
    expect(pull.stderr).toMatch(/^Trying to pull docker\.io\/library\/alpine:latest\.\.\.$/m);
    expect(pull.stderr).toMatch(/^Copying blob /m);
    // the namespace is made here: only the user's own uid is mapped, and it says so (as Podman does)
    expect(pull.stderr).toMatch(SINGLE);
    expect(pull.code).toBe(0);
    const run = await ci(['run', '--rm', 'alpine', 'sh', '-c', 'echo hello from $(id -u); cat /proc/self/uid_map']);
    const [hello, ...maps] = run.stdout.trim().split('\n');
    expect(hello).toBe('hello from 0');
    // inside the container: one mapping of one id, the user's own
    expect(maps).toHaveLength(1);
    expect(maps[0]!.trim().split(/\s+/)[2]).toBe('1');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const d = await ci(['run', '-d', '--name', 'job', 'alpine', 'sleep', '300']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    const ps = await ci(['ps']);
    expect(ps.stdout.split('\n')[0]).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    expect(ps.stdout).toMatch(/ job\n$/);
    const rm = await ci(['rm', '-f', 'job']);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expect((await ci(['ps', '-aq'])).stdout).toBe('');
    for (const r of [pull, run, d, ps, rm]) {
      expect(r.stdout + r.stderr).not.toMatch(ESC);
    }
    // no XDG_RUNTIME_DIR and no /run/user/UID: the run root is under /tmp
    expect(existsSync(`/tmp/tsc-ctr-run-${user.uid}/pause.pid`)).toBe(true);
  });

  it('CONTAINERS_STORAGE_CONF puts the storage on the cache directory', async () => {
    expect(existsSync(join(cache, 'storage', 'images.json'))).toBe(true);
    expect(readdirSync(join(cache, 'storage', 'layers')).length).toBeGreaterThan(0);
    // nothing in the default place
    expect(existsSync(join(user.home, '.local', 'share', 'tsc-ctr'))).toBe(false);
    const bad = await ci(['images'], '', { CONTAINERS_STORAGE_CONF: join(user.home, 'missing.conf') });
    expect(bad.stderr).toMatch(/^Error: reading CONTAINERS_STORAGE_CONF=\/home\/tscci\d+\/missing\.conf: ENOENT/);
    expect(bad.code).toBe(125);
  });

  it('--log-level sets what reaches stderr', async () => {
    const dbg = await ci(['--log-level', 'debug', 'run', '--rm', 'alpine', 'true']);
    expect(dbg.stderr).toMatch(/^DEBU\[0000\] running conmon: .*conmon .*--log-level debug/m);
    expect(dbg.stderr).toMatch(/^INFO\[0000\] tsc-ctr filtering at log level debug$/m);
    expect(dbg.code).toBe(0);
    const info = await ci(['--log-level', 'info', 'run', '--rm', 'alpine', 'true']);
    expect(info.stderr).toBe('INFO[0000] tsc-ctr filtering at log level info\n');
    expect(info.code).toBe(0);
    const quiet = await ci(['run', '--rm', 'alpine', 'true']);
    expect(quiet.stderr).toBe('');
    // a new namespace warns at warn (the default) and not at error
    expect((await ci(['system', 'migrate'])).code).toBe(0);
    const err = await ci(['--log-level', 'error', 'run', '--rm', 'alpine', 'true']);
    expect(err.stderr).toBe('');
    expect(err.code).toBe(0);
    expect((await ci(['system', 'migrate'])).code).toBe(0);
    const warn = await ci(['--log-level', 'warn', 'run', '--rm', 'alpine', 'true']);
    expect(warn.stderr).toMatch(SINGLE);
    expect(warn.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(warn.code).toBe(0);
    const bad = await ci(['--log-level', 'loud', 'ps']);
    expect(bad.stderr).toBe('Error: invalid log level "loud"\n');
    expect(bad.code).toBe(125);
    for (const r of [dbg, info, err, warn, bad]) expect(r.stdout + r.stderr).not.toMatch(ESC);
  });

  it('system migrate picks up a subuid range added afterwards', async () => {
    const before = await ci(['unshare', 'cat', '/proc/self/uid_map']);
    expect(before.stdout.trim().split('\n')).toHaveLength(1);
    // a range nobody has in either file (usermod takes one range for both)
    const taken = ['/etc/subuid', '/etc/subgid'].flatMap((f) => parseSubIdFile(readFileSync(f, 'utf8')).entries);
    const free = suggestFreeRange(taken, { min: 400000 });
    const add = spawnSync('usermod', ['--add-subuids', rangeArg(free), '--add-subgids', rangeArg(free), NAME], { encoding: 'utf8' });
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const still = await ci(['unshare', 'cat', '/proc/self/uid_map']);
    expect(still.stdout.trim().split('\n')).toHaveLength(1);
    const m = await ci(['system', 'migrate']);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const after = await ci(['unshare', 'cat', '/proc/self/uid_map']);
    expect(after.stdout.trim().split(/\s+/)).toEqual(['0', String(user.uid), '1', '1', String(free.start), '65536']);
    // and containers work in the new namespace, with other ids now
    const run = await ci(['run', '--rm', 'alpine', 'sh', '-c', 'touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f']);
    expect(run.stdout).toBe('1000:1000\n');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('system reset asks, and with no answer removes nothing; yes removes storage and run root', async () => {
    const no = await ci(['system', 'reset']);
    expect(no.stdout).toMatch(/Are you sure you want to continue\? \[y\/N\]/);
    expect(no.stderr).toMatch(/^Error: no answer on standard input: nothing was removed/);
    expect(no.code).toBe(1);
    expect(existsSync(join(cache, 'storage', 'images.json'))).toBe(true);
    const yes = await ci(['system', 'reset'], 'y\n');
    expect(yes.stderr).toBe('');
    expect(yes.code).toBe(0);
    expect(existsSync(join(cache, 'storage'))).toBe(false);
    expect(existsSync(`/tmp/tsc-ctr-run-${user.uid}`)).toBe(false);
    expect(pidsOf(user.uid)).toEqual([]);
    // and -f works on an empty store too
    const f = await ci(['system', 'reset', '-f']);
    expect(f.code).toBe(0);
    expect(f.stdout + f.stderr).not.toMatch(ESC);
  });
});
