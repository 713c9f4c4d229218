import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, storageEnv, type Storage } from '../harness/index.js';

describe('mount, umount, image mount (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const image = 'alpine';
  const cli = () => join(h.repo, 'bin', 'tsc-ctr');
  /** A shell script run inside `tsc-ctr unshare` (one namespace session, as a user would). */
  const inUnshare = (script: string) =>
    runAsUser(cli(), ['unshare', 'sh', '-c', script], { env: { ...storageEnv(storage), TSC: cli() }, timeoutMs: 120_000 });

  beforeAll(async () => {
    storage = newStorage();
    const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
  });

  it.skipIf(!h.user.created)('image mount outside unshare gives Podman\'s error', async () => {
    const r = await runCli(['image', 'mount', image], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: cannot run command "tsc-ctr image mount" in rootless mode, must execute `tsc-ctr unshare` first\n');
    const m = await runCli(['mount'], { storage });
    expect(m.stderr).toBe('Error: cannot run command "tsc-ctr mount" in rootless mode, must execute `tsc-ctr unshare` first\n');
  });

  it.skipIf(!h.user.created)('image mount inside unshare prints a path holding the image files', async () => {
    const r = await inUnshare(`set -e; p=$("$TSC" image mount ${image}); echo "P=$p"; stat -c '%u:%g' "$p/home/app"; test -x "$p/bin/busybox" && echo release-ok; "$TSC" image mount; "$TSC" image unmount ${image}; grep -c " $p " /proc/self/mountinfo || true`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const path = lines[0]!.replace(/^P=/, '');
    expect(path).toMatch(/\/merged$/);
    expect(lines[1]).toBe('1000:1000');
    expect(lines[2]).toBe('release-ok');
    expect(lines[3]).toMatch(new RegExp(`^[0-9a-f]{12}  ${path}$`));
    // the last line of `image unmount` is the full image id, then the mount is gone
    expect(lines[4]).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[5]).toBe('0');
  });

  it.skipIf(!h.user.created)('two mounts then one unmount keep the rootfs mounted; the second unmount removes it', async () => {
    const c = await runCli(['create', '--name', 'mnt1', image, 'true'], { storage });
    expect(c.code).toBe(0);
    const r = await inUnshare(
      `set -e; a=$("$TSC" mount mnt1); b=$("$TSC" mount mnt1); [ "$a" = "$b" ] && echo same; ` +
        `"$TSC" umount mnt1 >/dev/null; test -f "$a/etc/passwd" && echo still-mounted; "$TSC" mount; ` +
        `"$TSC" umount mnt1 >/dev/null; test -e "$a/etc/passwd" || echo unmounted; "$TSC" mount | wc -l`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('same');
    expect(lines[1]).toBe('still-mounted');
    expect(lines[2]).toMatch(/^[0-9a-f]{12}  \/.*\/merged$/);
    expect(lines[3]).toBe('unmounted');
    expect(lines[4]!.trim()).toBe('0');
  });

  it.skipIf(!h.user.created)('concurrent mounts by two processes are both counted', async () => {
    const c = await runCli(['create', '--name', 'mnt2', image, 'true'], { storage });
    expect(c.code).toBe(0);
    const r = await inUnshare(
      `set -e; "$TSC" mount mnt2 > /tmp/.m1 & "$TSC" mount mnt2 > /tmp/.m2 & wait; p=$(cat /tmp/.m1); ` +
        `"$TSC" umount mnt2 >/dev/null; test -f "$p/etc/passwd" && echo kept; "$TSC" umount mnt2 >/dev/null; test -e "$p/etc/passwd" || echo gone`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['kept', 'gone']);
  });

  it.skipIf(!h.user.created)('a mount survives the container running and exiting; umount of a running container with no mount is refused', async () => {
    const d = await runCli(['run', '-d', '--name', 'mnt3', image, 'sleep', '30'], { storage });
    expect(d.code).toBe(0);
    const r = await inUnshare(`"$TSC" umount mnt3; echo "rc=$?"`);
    expect(r.stderr).toMatch(/^Error: cannot unmount storage for container [0-9a-f]{64} as it is running or paused/);
    expect(r.stdout).toContain('rc=125');
    const m = await inUnshare(`set -e; p=$("$TSC" mount mnt3); echo "$p"`);
    expect(m.code).toBe(0);
    const path = m.stdout.trim();
    await runCli(['stop', '-t', '0', 'mnt3'], { storage });
    await runCli(['wait', 'mnt3'], { storage });
    // conmon's cleanup ran (state exited), yet the user's mount stays until they unmount
    const after = await inUnshare(`test -f "${path}/etc/passwd" && echo mounted; "$TSC" umount mnt3 >/dev/null; test -e "${path}/etc/passwd" || echo gone`);
    expect(after.stdout.trim().split('\n')).toEqual(['mounted', 'gone']);
  });

  it.skipIf(!h.user.created)('rm of a mounted container unmounts it', async () => {
    const c = await runCli(['create', '--name', 'mnt4', image, 'true'], { storage });
    expect(c.code).toBe(0);
    const r = await inUnshare(`set -e; p=$("$TSC" mount mnt4); "$TSC" rm mnt4 >/dev/null; grep -c " $p " /proc/self/mountinfo || true; test -e "$p" || echo removed`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['0', 'removed']);
  });
});
