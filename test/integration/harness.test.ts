import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disposeStorage, harness, newStorage, registriesConf, runAsUser, runCli, storageEnv } from '../harness/index.js';

/** Still running (a zombie nobody reaped yet counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** [inside, outside, count] rows of a /proc/PID/{uid,gid}_map. */
function maps(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
}

describe('test harness', () => {
  const h = harness();

  describe('the test user', () => {
    it.skipIf(!h.root)('is a dedicated unprivileged user with a home and its own subordinate id ranges', () => {
      expect(h.user.name).toBe('tscctr-test');
      expect(h.user.created).toBe(true);
      expect(h.user.uid).toBeGreaterThan(0);
      expect(statSync(h.user.home).uid).toBe(h.user.uid);
      const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${h.user.name}:`));
      expect(passwd?.split(':').slice(2, 4)).toEqual([String(h.user.uid), String(h.user.gid)]);
      for (const [file, range] of [
        ['/etc/subuid', h.user.subuid],
        ['/etc/subgid', h.user.subgid],
      ] as const) {
        expect(range?.count).toBe(65536);
        const lines = readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => /^[^:#]+:\d+:\d+$/.test(l));
        expect(lines).toContain(`${h.user.name}:${range!.start}:65536`);
        // the range overlaps nobody else's
        for (const l of lines.filter((x) => !x.startsWith(`${h.user.name}:`))) {
          const [, s, c] = l.split(':').map(Number) as [number, number, number];
          expect(s + c <= range!.start || range!.start + 65536 <= s, `${l} overlaps ${range!.start}+65536`).toBe(true);
        }
      }
    });

    it('runs programs as that user, with a clean login-like environment', async () => {
      const id = await runAsUser('id', ['-u']);
      expect(id).toMatchObject({ code: 0, stderr: '' });
      expect(Number(id.stdout.trim())).toBe(h.user.uid);
      const env = await runAsUser('env', []);
      const vars = Object.fromEntries(env.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(vars).toMatchObject({ HOME: h.user.home, USER: h.user.name, LOGNAME: h.user.name, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
      expect(vars.XDG_RUNTIME_DIR).toBeUndefined();
      expect(vars.VITEST).toBeUndefined();
      const pwd = await runAsUser('pwd', []);
      expect(pwd.stdout.trim()).toBe(h.user.home);
    });

    it('passes stdin, extra environment and exit codes through', async () => {
      const r = await runAsUser('sh', ['-c', 'cat; echo "$EXTRA"; exit 3'], { input: 'in\n', env: { EXTRA: 'x' } });
      expect(r).toEqual({ code: 3, stdout: 'in\nx\n', stderr: '' });
      const k = await runAsUser('sh', ['-c', 'kill -TERM $$']);
      expect(k.code).toBe(128 + 15);
      expect(k.signal).toBe('SIGTERM');
    });

    it('kills a program that outlives its timeout', async () => {
      const t = Date.now();
      await expect(runAsUser('sleep', ['30'], { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms: sleep 30/);
      expect(Date.now() - t).toBeLessThan(5000);
    });

    it.skipIf(!h.root)('runs programs as root when asked', async () => {
      const r = await runAsUser('id', ['-u'], { asRoot: true });
      expect(r.stdout.trim()).toBe('0');
    });
  });

  it('runs the CLI as that user', async () => {
    const r = await runCli(['version', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Client.Version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--version and -v print one line, as `podman --version`', async () => {
    const v = JSON.parse((await runCli(['version', '--format', 'json'])).stdout).Client.Version;
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`tsc-ctr version ${v}\n`);
    }
  });

  describe('the loopback registry', () => {
    it('answers the distribution API', async () => {
      const r = await fetch(`http://${h.registry}/v2/`);
      expect(r.status).toBe(200);
      const tags = (await (await fetch(`http://${h.registry}/v2/library/alpine/tags/list`)).json()) as { tags: string[] };
      expect(tags.tags.sort()).toEqual(['3', 'latest']);
    });

    it('serves the fixture images, built by umoci and pushed by skopeo', async () => {
      const r = await runAsUser('skopeo', ['inspect', '--tls-verify=false', `docker://${h.registry}/library/alpine:latest`]);
      expect(r.stderr).toBe('');
      const info = JSON.parse(r.stdout);
      expect(info.Labels['org.tsc-ctr.fixture']).toBe('busybox');
      expect(info.Digest).toBe(h.images.alpine!.digest);
      expect(info.Os).toBe('linux');
      expect(info.Layers).toHaveLength(1);
      // one image under every name
      for (const name of ['busybox', 'alpine3', 'tscBusybox']) expect(h.images[name]!.digest).toBe(h.images.alpine!.digest);
      expect(h.fixtures.tscBusybox).toBe(`${h.registry}/tsc/busybox:latest`);
      expect(h.images.alpine3).toMatchObject({ repository: 'library/alpine', tag: '3' });
    });

    it('has a busybox rootfs with applets, passwd and a sticky /tmp', async () => {
      const cfg = JSON.parse((await runAsUser('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${h.fixtures.busybox}`])).stdout);
      expect(cfg.config.Cmd).toEqual(['/bin/sh']);
      expect(cfg.config.Env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      const layer = await runAsUser('sh', ['-c', `tar --numeric-owner -tvzf "$(ls -S ${h.layout}/blobs/sha256/* | head -1)"`]);
      expect(layer.stdout).toMatch(/^-rwxr-xr-x 0\/0 .* bin\/busybox$/m);
      expect(layer.stdout).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
      expect(layer.stdout).toMatch(/ etc\/passwd$/m);
      expect(layer.stdout).toMatch(/^drwxrwxrwt 0\/0 .* tmp\/$/m);
      if (h.root) expect(layer.stdout).toMatch(/^drwxr-xr-x 1000\/1000 .* home\/app\/$/m);
    });

    it('is what `alpine` and docker.io/library/alpine resolve to, offline, through registries.conf', async () => {
      for (const ref of ['docker://docker.io/library/alpine:latest', 'docker://docker.io/library/alpine:3']) {
        // skopeo 1.9 does not read CONTAINERS_REGISTRIES_CONF: name the file
        const r = await runAsUser('skopeo', ['--registries-conf', h.registriesConf, 'inspect', '--no-tags', '--format', '{{.Digest}}', ref]);
        expect(r.stderr).toBe('');
        expect(r.stdout.trim()).toBe(h.images.alpine!.digest);
      }
      if (h.user.created) {
        // the user's own copy: the same configuration (for this run's registry, unless a test
        // run started meanwhile has written its own)
        const own = readFileSync(join(h.user.home, '.config/containers/registries.conf'), 'utf8');
        const port = /127\.0\.0\.1:(\d+)/.exec(own)?.[1];
        expect(own).toBe(registriesConf(`127.0.0.1:${port}`));
      }
    });
  });

  describe('rootless user namespaces for the user', () => {
    it('unshare --map-root-user makes the user root', async () => {
      const r = await runAsUser('unshare', ['--user', '--map-root-user', 'id', '-u']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('0');
    });

    it.skipIf(!h.user.subuid)('newuidmap and newgidmap map the subordinate ranges', async () => {
      for (const [file, range] of [
        ['uid_map', h.user.subuid!],
        ['gid_map', h.user.subgid!],
      ] as const) {
        const r = await runAsUser('unshare', ['--user', '--map-auto', '--map-root-user', 'cat', `/proc/self/${file}`]);
        expect(r.stderr).toBe('');
        const rows = maps(r.stdout);
        expect(rows[0]).toEqual([0, file === 'uid_map' ? h.user.uid : h.user.gid, 1]);
        expect(rows[1]![1]).toBe(range.start);
        expect(rows[1]![0]).toBe(1);
      }
    });
  });

  describe('private stores', () => {
    it('are empty directories the user owns, and disposing of one kills its pause process', async () => {
      const s = newStorage();
      expect(statSync(s.dir).uid).toBe(h.user.uid);
      expect(existsSync(s.root)).toBe(false);
      const r = await runCli(['unshare', 'cat', '/proc/self/uid_map'], { storage: s });
      expect(r.code).toBe(0);
      const pid = Number(readFileSync(`${s.runroot}/pause.pid`, 'utf8'));
      expect(running(pid)).toBe(true);
      await disposeStorage(s);
      expect(running(pid)).toBe(false);
      expect(existsSync(s.dir)).toBe(false);
    });

    it('disposing of one kills the processes started against it, and only those', async () => {
      const s = newStorage();
      const other = newStorage();
      const bg = 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!';
      const mine = Number((await runAsUser('sh', ['-c', bg], { env: storageEnv(s) })).stdout);
      const theirs = Number((await runAsUser('sh', ['-c', bg], { env: storageEnv(other) })).stdout);
      expect(running(mine) && running(theirs)).toBe(true);
      await disposeStorage(s);
      expect(running(mine)).toBe(false);
      expect(running(theirs)).toBe(true);
      await disposeStorage(other);
      expect(running(theirs)).toBe(false);
    });

    it.skipIf(!h.root)('rootful ones belong to root, and disposing of one unmounts what is mounted in it', async () => {
      const s = newStorage({ asRoot: true });
      expect(statSync(s.dir).uid).toBe(0);
      expect(s.dir.startsWith(h.runDir)).toBe(true);
      const m = await runAsUser('sh', ['-c', `mkdir -p "$1/m/n" && mount -t tmpfs tmp "$1/m" && mkdir "$1/m/n" && mount -t tmpfs tmp "$1/m/n" && touch "$1/m/n/f"`, 'sh', s.dir], { asRoot: true });
      expect(m.stderr).toBe('');
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(`${s.dir}/m/n `);
      await disposeStorage(s);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(s.dir);
      expect(existsSync(s.dir)).toBe(false);
    });
  });
});
