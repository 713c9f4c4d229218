/**
 * Our unpacked rootfs against umoci's, file by file, for a multi-layer image with whiteouts, an
 * opaque directory, hardlinks, symlinks, a FIFO, setuid/setgid/sticky bits, files of uid 1000 and
 * a security.capability xattr.
 *
 * One id space, the image's: ours is walked inside `tsc-ctr unshare` on the merged overlay of
 * `tsc-ctr image mount`, where stat shows the image's ids (0…65536 map onto the subuid range).
 * umoci's is `umoci unpack --rootless` (run by root, so nothing is chowned): every file belongs to
 * the unpacking user, i.e. the image's root, except those carrying umoci's
 * user.rootlesscontainers xattr, which records the image's uid/gid. support/walk-tree.py reads
 * both and prints type, mode, uid, gid, sha256, link target, capability and hardlink groups.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImage, busyboxLayer, BUSYBOX_CONFIG, harness, newStorage, pushImage, runAsUser, runCli, storageEnv, type Storage } from '../harness/index.js';
import { makeTar } from './support/oci-push.js';

type Tree = Record<string, { type: string; mode: string | null; uid: number; gid: number; sha256?: string; target?: string; capability?: string; hardlinks?: string[] }>;

describe.skipIf(!harness().root)('pull: rootfs equals umoci unpack --rootless (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let layout: string;
  let ref: string;
  const walker = join(import.meta.dirname, 'support', 'walk-tree.py');

  beforeAll(async () => {
    storage = newStorage();
    const dir = mkdtempSync(join(h.runDir, 'umoci-cmp-'));
    layout = join(dir, 'layout');
    const src = buildImage(layout, 'cmp', {
      layers: [
        busyboxLayer,
        (r) => {
          for (const d of ['data', 'usr/bin', 'opaque/sub', 'gone-dir', 'shared']) mkdirSync(join(r, d), { recursive: true });
          writeFileSync(join(r, 'etc/remove-me'), 'to be whited out\n');
          writeFileSync(join(r, 'gone-dir/file'), 'the whole dir goes\n');
          writeFileSync(join(r, 'opaque/lower'), 'hidden by the opaque dir\n');
          writeFileSync(join(r, 'opaque/sub/deep'), 'hidden too\n');
          copyFileSync('/bin/busybox', join(r, 'usr/bin/suid'));
          chmodSync(join(r, 'usr/bin/suid'), 0o4755);
          writeFileSync(join(r, 'usr/bin/sgid'), '#!/bin/sh\n');
          chownSync(join(r, 'usr/bin/sgid'), 0, 50);
          chmodSync(join(r, 'usr/bin/sgid'), 0o2755);
          chmodSync(join(r, 'shared'), 0o1777);
          writeFileSync(join(r, 'data/owned'), 'owned by app\n');
          chownSync(join(r, 'data/owned'), 1000, 1000);
          chmodSync(join(r, 'data/owned'), 0o640);
          mkdirSync(join(r, 'data/appdir'));
          chownSync(join(r, 'data/appdir'), 1000, 1000);
          chmodSync(join(r, 'data/appdir'), 0o750);
          writeFileSync(join(r, 'data/h1'), 'hard linked\n');
          linkSync(join(r, 'data/h1'), join(r, 'data/h2'));
          linkSync(join(r, 'data/h1'), join(r, 'usr/bin/h3'));
          symlinkSync('../etc/passwd', join(r, 'data/rel-link'));
          symlinkSync('/etc/passwd', join(r, 'data/abs-link'));
          symlinkSync('/nowhere/at/all', join(r, 'data/dangling'));
          execFileSync('mkfifo', ['-m', '0620', join(r, 'data/fifo')]);
          writeFileSync(join(r, 'usr/bin/ping'), 'not really ping\n');
          chmodSync(join(r, 'usr/bin/ping'), 0o755);
          execFileSync('setcap', ['cap_net_raw+ep', join(r, 'usr/bin/ping')]);
        },
        // umoci repack turns these deletions into .wh. whiteouts
        (r) => {
          rmSync(join(r, 'etc/remove-me'));
          rmSync(join(r, 'gone-dir'), { recursive: true });
          writeFileSync(join(r, 'data/owned'), 'changed in layer 3\n');
          chownSync(join(r, 'data/owned'), 1000, 1000);
          chmodSync(join(r, 'data/owned'), 0o600);
        },
      ],
      config: BUSYBOX_CONFIG,
    });
    // umoci never writes an opaque whiteout: add that layer by hand, verbatim
    const tarFile = join(dir, 'opaque.tar');
    writeFileSync(
      tarFile,
      makeTar([
        { name: 'opaque/', type: '5', mode: 0o755 },
        { name: 'opaque/.wh..wh..opq', content: '' },
        { name: 'opaque/upper', content: 'only this stays\n', uid: 1000, gid: 100, mode: 0o664 },
        { name: 'data/in-last', content: 'hard linked in the last layer\n' },
        { name: 'data/in-last-2', type: '1', linkname: 'data/in-last' },
      ]),
    );
    execFileSync('umoci', ['raw', 'add-layer', '--image', `${layout}:cmp`, tarFile]);
    execFileSync('chmod', ['-R', 'a+rX', dir]);
    ref = `${h.registry}/pullumoci/cmp:latest`;
    pushImage(src, ref, { format: 'oci' });
  }, 300_000);

  it('file by file: type, mode, uid, gid, content, link target, capability, hardlinks', async () => {
    const pull = await runCli(['pull', '-q', ref], { storage, timeoutMs: 180_000 });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);

    const bundle = mkdtempSync(join(h.runDir, 'umoci-bundle-'));
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:cmp`, join(bundle, 'b')]);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', [walker, '--owners-from-xattr', join(bundle, 'b', 'rootfs')], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Tree;

    const cli = join(h.repo, 'bin', 'tsc-ctr');
    const script = `set -e; p=$("$TSC" image mount ${ref}); /usr/bin/python3 "$WALKER" "$p"; "$TSC" image unmount ${ref} >/dev/null`;
    const r = await runAsUser(cli, ['unshare', 'sh', '-c', script], { env: { ...storageEnv(storage), TSC: cli, WALKER: walker }, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.stdout) as Tree;

    // the fixture holds what it should (so that equality means something)
    expect(theirs['/etc/remove-me']).toBeUndefined();
    expect(theirs['/gone-dir']).toBeUndefined();
    expect(theirs['/opaque/lower']).toBeUndefined();
    expect(theirs['/opaque/upper']).toMatchObject({ uid: 1000, gid: 100, mode: '0o664' });
    expect(theirs['/data/owned']).toMatchObject({ uid: 1000, gid: 1000, mode: '0o600' });
    expect(theirs['/data/fifo']).toMatchObject({ type: 'fifo', mode: '0o620' });
    expect(theirs['/usr/bin/suid']!.mode).toBe('0o4755');
    expect(theirs['/usr/bin/sgid']).toMatchObject({ mode: '0o2755', gid: 50 });
    expect(theirs['/shared']!.mode).toBe('0o1777');
    expect(theirs['/usr/bin/ping']!.capability).toMatch(/^0[12]0000/);
    expect(theirs['/data/h1']!.hardlinks).toEqual(['/data/h1', '/data/h2', '/usr/bin/h3']);
    expect(theirs['/data/in-last']!.hardlinks).toEqual(['/data/in-last', '/data/in-last-2']);

    // the root directory is the mount point (ours) or umoci's rootfs dir: not image content
    delete ours['/'];
    delete theirs['/'];
    // busybox's applet links and the fixture's files: a real tree, not two empty ones
    expect(Object.keys(theirs).length).toBeGreaterThan(300);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const p of Object.keys(theirs)) expect({ path: p, ...ours[p] }).toEqual({ path: p, ...theirs[p] });
    rmSync(bundle, { recursive: true, force: true });
  });

  it('rootful: the same tree, walked as root on the merged mount', async () => {
    const rootful = newStorage({ asRoot: true });
    const pull = await runCli(['pull', '-q', ref], { storage: rootful, timeoutMs: 180_000 });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    const mnt = await runCli(['image', 'mount', ref], { storage: rootful });
    expect(mnt.code).toBe(0);
    const path = mnt.stdout.trim();
    let ours: Tree;
    try {
      ours = JSON.parse(execFileSync('/usr/bin/python3', [walker, path], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Tree;
    } finally {
      await runCli(['image', 'unmount', ref], { storage: rootful });
    }
    const bundle = mkdtempSync(join(h.runDir, 'umoci-bundle-'));
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:cmp`, join(bundle, 'b')]);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', [walker, '--owners-from-xattr', join(bundle, 'b', 'rootfs')], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Tree;
    rmSync(bundle, { recursive: true, force: true });
    delete ours['/'];
    delete theirs['/'];
    expect(Object.keys(theirs).length).toBeGreaterThan(300);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const p of Object.keys(theirs)) expect({ path: p, ...ours[p] }).toEqual({ path: p, ...theirs[p] });
  });
});
