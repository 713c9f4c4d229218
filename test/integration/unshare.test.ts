import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli } from '../harness/index.js';

describe('tsc-ctr unshare (rootless user namespace)', () => {
  const h = harness();
  const storage = newStorage();
  afterAll(async () => {
    // the pause process of this storage's run root
    try {
      process.kill(Number(readFileSync(`${storage.runroot}/pause.pid`, 'utf8')), 'SIGKILL');
    } catch {
      /* none */
    }
  });

  it.skipIf(!h.user.created)('maps the user to root and the subordinate range after it', async () => {
    const r = await runCli(['unshare', 'cat', '/proc/self/uid_map'], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${h.user.name}:`))!;
    const [, start, count] = line.split(':');
    const maps = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(maps[0]).toEqual(['0', String(h.user.uid), '1']);
    expect(maps[1]).toEqual(['1', start, count]);
  });

  it.skipIf(!h.user.created)('reuses one pause process and passes the exit code through', async () => {
    const a = await runCli(['unshare', 'sh', '-c', 'readlink /proc/self/ns/user; exit 7'], { storage });
    const b = await runCli(['unshare', 'readlink', '/proc/self/ns/user'], { storage });
    expect(a.code).toBe(7);
    expect(b.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const pid = readFileSync(`${storage.runroot}/pause.pid`, 'utf8');
    const cmd = await runAsUser('cat', [`/proc/${pid}/cmdline`]);
    expect(cmd.stdout.split('\0')[0]).toMatch(/catatonit|sleep/);
  });

  it.skipIf(!h.user.created)('recreates the pause process after it died', async () => {
    const pid = Number(readFileSync(`${storage.runroot}/pause.pid`, 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r = await runCli(['unshare', 'id', '-u'], { storage });
    expect(r.stdout.trim()).toBe('0');
    expect(Number(readFileSync(`${storage.runroot}/pause.pid`, 'utf8'))).not.toBe(pid);
  });

  it.skipIf(!h.root)('refuses to run in rootful mode', async () => {
    const r = await runCli(['unshare', 'true'], { asRoot: true });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: please use unshare with rootless\n');
  });
});
