import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, createReadStream, existsSync, lchownSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, storageEnv, userTempDir, type Storage } from '../harness/index.js';

/** A busybox rootfs as a tarball made with GNU tar (not our code): plain, gzip or zstd. */
function makeRootfsTar(dir: string, compress: 'none' | 'gzip' | 'zstd'): string {
  const rootfs = join(dir, `rootfs-${compress}`);
  for (const d of ['bin', 'etc', 'tmp', 'srv/app', 'home/app']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'id', 'pwd', 'cat', 'stat', 'echo', 'env', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
  writeFileSync(join(rootfs, 'srv/app/hello'), `hello ${compress}\n`);
  if (process.getuid?.() === 0) lchownSync(join(rootfs, 'home/app'), 1000, 1000);
  const out = join(dir, `rootfs.tar${compress === 'gzip' ? '.gz' : compress === 'zstd' ? '.zst' : ''}`);
  const z = compress === 'gzip' ? ['-z'] : compress === 'zstd' ? ['--zstd'] : [];
  execFileSync('tar', ['-C', rootfs, '--numeric-owner', ...z, '-cf', out, '.']);
  chmodSync(out, 0o644);
  return out;
}

/** A tarball with an entry that climbs out of the image (python's tarfile writes what it is told). */
function makeHostileTar(dir: string): string {
  const out = join(dir, 'hostile.tar');
  execFileSync('python3', [
    '-c',
    `import tarfile, io
t = tarfile.open(${JSON.stringify(out)}, 'w')
for name, data in [('ok.txt', b'fine'), ('../escaped.txt', b'evil')]:
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
t.close()`,
  ]);
  chmodSync(out, 0o644);
  return out;
}

function layerIds(s: Storage): string[] {
  try {
    return readdirSync(join(s.root, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  } catch {
    return [];
  }
}

function tempsLeft(s: Storage): string[] {
  try {
    return readdirSync(join(s.root, 'layers', '.tmp'));
  } catch {
    return [];
  }
}

function suite(mode: 'rootless' | 'rootful') {
  const h = harness();
  const asRoot = mode === 'rootful';
  describe.skipIf(asRoot && !h.root)(`import (${mode})`, () => {
    let storage: Storage;
    let dir: string;
    let server: Server;
    let url: string;

    beforeAll(async () => {
      storage = newStorage({ asRoot });
      dir = userTempDir('import-');
      for (const c of ['none', 'gzip', 'zstd'] as const) makeRootfsTar(dir, c);
      server = createServer((req, res) => {
        const f = join(dir, req.url === '/rootfs.tar.zst' ? 'rootfs.tar.zst' : 'missing');
        if (!existsSync(f)) {
          res.writeHead(404).end('not here');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        createReadStream(f).pipe(res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => server?.close(r));
    });

    it('a plain tar file, with --change: visible in image inspect and in run', async () => {
      const r = await runCli(
        [
          'import',
          '--change', 'CMD ["/bin/sh","-c","echo $GREETING; pwd; id -u; cat hello"]',
          '-c', 'ENV=GREETING=hi there',
          '-c', 'WORKDIR /srv/app',
          '-c', 'USER 1000',
          '-c', 'LABEL com.example.origin=tarball',
          '-c', 'EXPOSE 8080',
          '-m', 'my import',
          join(dir, 'rootfs.tar'),
          'imported:v1',
        ],
        { storage },
      );
      expect(r.stderr).toBe('Getting image source signatures\n' + r.stderr.split('\n').slice(1).join('\n'));
      expect(r.stderr).toMatch(/Copying blob [0-9a-f]{12} done\nCopying config [0-9a-f]{12} done\nWriting manifest to image destination\n$/);
      expect(r.code).toBe(0);
      const id = r.stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{64}$/);

      const ins = await runCli(['image', 'inspect', 'localhost/imported:v1'], { storage });
      expect(ins.code).toBe(0);
      const [img] = JSON.parse(ins.stdout);
      expect(img.Id).toBe(id);
      expect(img.RepoTags).toEqual(['localhost/imported:v1']);
      expect(img.Config.Cmd).toEqual(['/bin/sh', '-c', 'echo $GREETING; pwd; id -u; cat hello']);
      expect(img.Config.Env).toEqual(['GREETING=hi there']);
      expect(img.Config.WorkingDir).toBe('/srv/app');
      expect(img.Config.User).toBe('1000');
      expect(img.Config.Labels).toEqual({ 'com.example.origin': 'tarball' });
      expect(img.Config.ExposedPorts).toEqual({ '8080/tcp': {} });
      expect(img.RootFS.Layers).toHaveLength(1);
      expect(img.History).toHaveLength(1);
      expect(img.History[0].comment).toBe('my import');
      expect(img.Comment).toBe('my import');
      expect(img.ManifestType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(img.Architecture).toBeTruthy();
      expect(img.Os).toBe('linux');

      const run = await runCli(['run', '--rm', 'imported:v1'], { storage });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('hi there\n/srv/app\n1000\nhello none\n');
      expect(run.code).toBe(0);
      // owners kept: /home/app is 1000 inside (root made the tar with that owner)
      if (h.root) {
        const st = await runCli(['run', '--rm', 'imported:v1', 'stat', '-c', '%u:%g', '/home/app'], { storage });
        expect(st.stdout.trim()).toBe('1000:1000');
      }
    });

    it('gzip from stdin (-), dangling without a reference, -q prints only the id', async () => {
      const r = await runCli(['import', '-q', '-'], { storage, input: readFileSync(join(dir, 'rootfs.tar.gz')) });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const id = r.stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      const ls = await runCli(['images', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'], { storage });
      expect(ls.stdout).toContain(`${id.slice(0, 12)} <none>:<none>`);
      const run = await runCli(['run', '--rm', id, 'cat', '/srv/app/hello'], { storage });
      expect(run.stdout).toBe('hello gzip\n');
      const hist = await runCli(['image', 'inspect', '--format', '{{(index .History 0).Comment}}', id], { storage });
      expect(hist.stdout.trim()).toBe('imported from stdin');
    });

    it('zstd from an http URL; a 404 is a one-line error', async () => {
      const r = await runCli(['image', 'import', '-q', `${url}/rootfs.tar.zst`, 'fromurl'], { storage });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const run = await runCli(['run', '--rm', 'fromurl', 'cat', '/srv/app/hello'], { storage });
      expect(run.stdout).toBe('hello zstd\n');
      const bad = await runCli(['import', `${url}/nope.tar`, 'nope'], { storage });
      expect(bad.code).toBe(125);
      expect(bad.stderr).toMatch(/^Error: downloading http:\/\/127\.0\.0\.1:\d+\/nope\.tar: the server answered HTTP 404\n$/);
    });

    it('a hostile tar is refused and nothing is left behind', async () => {
      const before = layerIds(storage);
      const imagesBefore = (await runCli(['images', '-q', '--no-trunc'], { storage })).stdout;
      const r = await runCli(['import', makeHostileTar(dir), 'hostile'], { storage });
      expect(r.code).toBe(125);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^Error: .*\.\.\/escaped\.txt/);
      expect(layerIds(storage).sort()).toEqual(before.sort());
      expect(tempsLeft(storage)).toEqual([]);
      expect((await runCli(['images', '-q', '--no-trunc'], { storage })).stdout).toBe(imagesBefore);
      expect(existsSync(join(storage.root, 'layers', 'escaped.txt'))).toBe(false);
      expect(existsSync(join(storage.root, 'layers', '.tmp', 'escaped.txt'))).toBe(false);
    });

    it('bad input: unknown file, bad --change, bad name', async () => {
      const missing = await runCli(['import', join(dir, 'no-such.tar')], { storage });
      expect(missing.code).toBe(125);
      expect(missing.stderr).toBe(`Error: opening ${join(dir, 'no-such.tar')}: no such file or directory\n`);
      const change = await runCli(['import', '-c', 'RUN rm -rf /', join(dir, 'rootfs.tar')], { storage });
      expect(change.code).toBe(125);
      expect(change.stderr).toMatch(/^Error: invalid change "RUN rm -rf \/": unknown instruction RUN/);
      const name = await runCli(['import', join(dir, 'rootfs.tar'), 'Bad:Name:x'], { storage });
      expect(name.code).toBe(125);
      expect(name.stderr).toMatch(/^Error: /);
    });

    it.skipIf(asRoot)('scripts/make-busybox-image as the user: run --rm localhost/busybox echo ok', async () => {
      const env = storageEnv(storage);
      const mk = await runAsUser(join(h.repo, 'scripts/make-busybox-image'), [], { env: { ...env, TSC_CTR: h.bin }, timeoutMs: 120_000 });
      expect(mk.stderr).toBe('');
      expect(mk.stdout).toMatch(/made localhost\/busybox:latest/);
      expect(mk.code).toBe(0);
      const again = await runAsUser(join(h.repo, 'scripts/make-busybox-image'), [], { env: { ...env, TSC_CTR: h.bin } });
      expect(again.stdout).toMatch(/already there/);
      const r = await runCli(['run', '--rm', 'localhost/busybox', 'echo', 'ok'], { storage });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ok\n');
      const sh = await runCli(['run', '--rm', 'localhost/busybox', 'sh', '-c', 'id -un; stat -c %a /tmp; wget --help >/dev/null 2>&1; echo $?'], { storage });
      expect(sh.stdout).toBe('root\n1777\n0\n');
      const cmd = await runCli(['image', 'inspect', '--format', '{{.Config.Cmd}}', 'localhost/busybox'], { storage });
      expect(cmd.stdout.trim()).toBe('[sh]');
    });
  });
}

suite('rootless');
suite('rootful');
