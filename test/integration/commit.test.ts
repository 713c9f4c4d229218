import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, storageEnv, userTempDir, type Storage } from '../harness/index.js';

const CHANGES = [
  'echo new > /new.txt',
  'echo more >> /etc/group',
  'rm /bin/wget',
  'touch /owned && chown 1000:1000 /owned',
  // a whole directory deleted and made again with other content: opaque
  'rm -rf /home && mkdir -p /home/other && echo other > /home/other/file',
].join('; ');

function suite(mode: 'rootless' | 'rootful') {
  const h = harness();
  const asRoot = mode === 'rootful';
  describe.skipIf(asRoot && !h.root)(`commit (${mode})`, () => {
    let storage: Storage;
    let committed: string;
    let layerDir: string;
    let diffId: string;

    /** A program run as whoever owns the store, inside tsc-ctr's user namespace when rootless. */
    const inNs = (argv: string[]) =>
      asRoot ? runAsUser(argv[0]!, argv.slice(1), { asRoot: true }) : runCli(['unshare', ...argv], { storage });

    beforeAll(async () => {
      storage = newStorage({ asRoot });
      const p = await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 });
      expect(p.code).toBe(0);
      const r = await runCli(['run', '--name', 'changer', 'alpine', 'sh', '-c', CHANGES], { storage });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const c = await runCli(['commit', '-a', 'Jane <jane@example.com>', '-m', 'my changes', '-c', 'ENV COMMITTED=yes', '-c', 'CMD ["cat","/new.txt"]', 'changer', 'committed:1'], { storage });
      expect(c.stderr).toMatch(/^Getting image source signatures\nCopying blob [0-9a-f]{12} done\nCopying config [0-9a-f]{12} done\nWriting manifest to image destination\n$/);
      expect(c.code).toBe(0);
      committed = c.stdout.trim();
      expect(committed).toMatch(/^[0-9a-f]{64}$/);
    }, 180_000);

    it('the committed image runs with exactly those changes', async () => {
      const r = await runCli(
        ['run', '--rm', 'committed:1', 'sh', '-c', 'cat /new.txt; tail -1 /etc/group; test -e /bin/wget || echo nowget; stat -c %u:%g /owned; ls -A /home; cat /home/other/file; echo $COMMITTED; test -x /bin/sh && echo sh'],
        { storage },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('new\nmore\nnowget\n1000:1000\nother\nother\nyes\nsh\n');
      expect((await runCli(['run', '--rm', 'committed:1'], { storage })).stdout).toBe('new\n');
      // the base image is unchanged
      const base = await runCli(['run', '--rm', 'alpine', 'sh', '-c', 'ls /home; test -e /bin/wget && echo wget; test -e /new.txt || echo nonew'], { storage });
      expect(base.stdout).toBe('app\nwget\nnonew\n');
    });

    it('image inspect shows the new layer, history, author and message', async () => {
      const base = JSON.parse((await runCli(['image', 'inspect', 'alpine'], { storage })).stdout)[0];
      const img = JSON.parse((await runCli(['image', 'inspect', 'committed:1'], { storage })).stdout)[0];
      expect(img.Id).toBe(committed);
      expect(img.RepoTags).toEqual(['localhost/committed:1']);
      expect(img.RootFS.Layers).toHaveLength(base.RootFS.Layers.length + 1);
      expect(img.RootFS.Layers.slice(0, -1)).toEqual(base.RootFS.Layers);
      diffId = img.RootFS.Layers.at(-1);
      expect(img.Author).toBe('Jane <jane@example.com>');
      expect(img.History).toHaveLength((base.History ?? []).length + 1);
      const last = img.History.at(-1);
      expect(last.author).toBe('Jane <jane@example.com>');
      expect(last.comment).toBe('my changes');
      expect(last.created_by).toContain('echo new > /new.txt');
      expect(img.Config.Env).toEqual([...base.Config.Env, 'COMMITTED=yes']);
      expect(img.Config.Labels).toEqual(base.Config.Labels);
      expect(img.Config.Cmd).toEqual(['cat', '/new.txt']);
      expect(img.ManifestType).toBe('application/vnd.oci.image.manifest.v1+json');
      layerDir = img.GraphDriver.Data.UpperDir;
      expect(layerDir).toMatch(/\/layers\/[0-9a-f]{64}\/diff$/);
    });

    it('the stored layer holds overlay whiteouts; as a tar it has the .wh. entries', async () => {
      const wh = await inNs(['stat', '-c', '%F %t:%T', join(layerDir, 'bin/wget')]);
      expect(wh.stdout.trim()).toBe('character special file 0:0');
      const attr = asRoot ? 'trusted.overlay.opaque' : 'user.overlay.opaque';
      const op = await inNs(['python3', '-c', `import os; print(os.getxattr(${JSON.stringify(join(layerDir, 'home'))}, ${JSON.stringify(attr)}).decode())`]);
      expect(op.stdout.trim()).toBe('y');

      // The layer dir written back as a tar by the library, listed by GNU tar.
      const out = join(userTempDir('layer-'), 'layer.tar');
      const script = `import { upperDiffTar } from ${JSON.stringify(join(h.repo, 'dist/index.js'))};
import { createWriteStream } from 'node:fs';
upperDiffTar(${JSON.stringify(layerDir)}, { rootless: ${!asRoot} }).pipe(createWriteStream(${JSON.stringify(out)}));`;
      const w = await inNs([process.execPath, '--input-type=module', '-e', script]);
      expect(w.stderr).toBe('');
      const list = execFileSync('tar', ['-tvf', out, '--numeric-owner'], { encoding: 'utf8' });
      const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
      expect(names).toContain('bin/.wh.wget');
      expect(names).toContain('home/.wh..wh..opq');
      expect(names).toContain('home/other/file');
      expect(names).toContain('new.txt');
      expect(names).not.toContain('bin/wget');
      expect(names).not.toContain('home/app/');
      expect(list).toMatch(/-rw-r--r-- 1000\/1000 +0 [^\n]* owned\n/);
      expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });

    it('--format docker, no name: a dangling image; bad input is refused', async () => {
      const c = await runCli(['commit', '-q', '-f', 'docker', '-p', 'changer'], { storage });
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      const id = c.stdout.trim();
      const t = await runCli(['image', 'inspect', '--format', '{{.ManifestType}} {{len .RepoTags}}', id], { storage });
      expect(t.stdout.trim()).toBe('application/vnd.docker.distribution.manifest.v2+json 0');
      // same changes, same layer: the diff id does not depend on the moment
      const again = await runCli(['image', 'inspect', '--format', '{{index .RootFS.Layers 1}}', id], { storage });
      expect(again.stdout.trim()).toBe(diffId);

      const bad = await runCli(['commit', '-f', 'v2s2', 'changer'], { storage });
      expect(bad.code).toBe(125);
      expect(bad.stderr).toBe('Error: unrecognized image type "v2s2": use oci or docker\n');
      const none = await runCli(['commit', 'no-such-ctr', 'x'], { storage });
      expect(none.code).toBe(125);
      expect(none.stderr).toBe('Error: no container with name or ID "no-such-ctr" found: no such container\n');
      const change = await runCli(['commit', '-c', 'FROM scratch', 'changer', 'x'], { storage });
      expect(change.code).toBe(125);
      expect(change.stderr).toMatch(/^Error: invalid change "FROM scratch": unknown instruction FROM/);
    });

    it.skipIf(asRoot)('a committed image of an imported image, its opaque directory hides the imported content', async () => {
      const env = storageEnv(storage);
      const mk = await runAsUser(join(h.repo, 'scripts/make-busybox-image'), [], { env: { ...env, TSC_CTR: h.bin }, timeoutMs: 120_000 });
      expect(mk.code).toBe(0);
      const r = await runCli(['run', '--name', 'bb', 'localhost/busybox', 'sh', '-c', 'rm -rf /usr && mkdir /usr && echo x > /usr/only'], { storage });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const c = await runCli(['commit', '-q', 'bb', 'bb2'], { storage });
      expect(c.code).toBe(0);
      const run = await runCli(['run', '--rm', 'bb2', 'ls', '/usr'], { storage });
      expect(run.stdout).toBe('only\n');
    });
  });
}

suite('rootless');
suite('rootful');
