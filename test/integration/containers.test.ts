import { chownSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, type Storage } from '../harness/index.js';

function suite(mode: 'rootless' | 'rootful') {
  describe(`containers (${mode})`, () => {
    const h = harness();
    const asRoot = mode === 'rootful';
    let storage: Storage;
    const image = 'alpine';

    beforeAll(async () => {
      storage = newStorage({ asRoot });
      const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('run --rm IMG id: root inside; a file written to a bind mount is owned by the user on the host', async () => {
      const dir = mkdtempSync(join(asRoot ? '/tmp' : h.user.home, 'bind-'));
      if (!asRoot && h.user.created) chownSync(dir, h.user.uid, h.user.gid);
      const r = await runCli(['run', '--rm', '-v', `${dir}:/out`, image, 'sh', '-c', 'id; echo hi > /out/f'], { storage });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^uid=0\(root\) gid=0\(root\)/);
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('hi\n');
      expect(statSync(join(dir, 'f')).uid).toBe(asRoot ? 0 : h.user.uid);
      const ps = await runCli(['ps', '-a', '-q'], { storage });
      expect(ps.stdout.trim()).toBe('');
    });

    it('keeps image ownership: /home/app is uid 1000 inside', async () => {
      const r = await runCli(['run', '--rm', image, 'stat', '-c', '%u:%g', '/home/app'], { storage });
      expect(r.stdout.trim()).toBe('1000:1000');
    });

    it.each([
      [['sh', '-c', 'exit 3'], 3, ''],
      [['true'], 0, ''],
      [['/nonexistent'], 127, 'not found'],
      [['/etc/passwd'], 126, 'permission denied'],
    ])('exit codes: %j → %i', async (cmd, code, msg) => {
      const r = await runCli(['run', '--rm', image, ...(cmd as string[])], { storage });
      expect(r.code).toBe(code);
      if (msg) expect(r.stderr.toLowerCase()).toContain(msg);
    });

    it('125 for our own errors', async () => {
      const r = await runCli(['run', '--rm', '--pull', 'never', 'no-such-image-here'], { storage });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^Error: /);
    });

    it('run -d, logs, stop (SIGTERM then SIGKILL), rm', async () => {
      const d = await runCli(['run', '-d', '--name', 'sleeper', image, 'sh', '-c', 'trap "" TERM; echo started; while true; do sleep 0.1; done'], { storage });
      expect(d.stderr).toBe('');
      expect(d.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
      let logs = '';
      for (let i = 0; i < 50 && !logs.includes('started'); i++) {
        logs = (await runCli(['logs', 'sleeper'], { storage })).stdout;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(logs).toBe('started\n');
      const t = Date.now();
      const stop = await runCli(['stop', '-t', '1', 'sleeper'], { storage });
      expect(stop.stdout.trim()).toBe('sleeper');
      expect(Date.now() - t).toBeGreaterThanOrEqual(900);
      const w = await runCli(['wait', 'sleeper'], { storage });
      expect(w.stdout.trim()).toBe('137');
      const rm = await runCli(['rm', 'sleeper'], { storage });
      expect(rm.code).toBe(0);
      expect((await runCli(['logs', 'sleeper'], { storage })).code).toBe(125);
    });

    it('--rm leaves no container, no mount and no process behind', async () => {
      const r = await runCli(['run', '--rm', '--name', 'gone', image, 'true'], { storage });
      expect(r.code).toBe(0);
      expect(readdirSync(join(storage.root, 'containers')).filter((d) => !d.startsWith('.'))).toEqual([]);
      // mounts live in the pause process's namespace when rootless: look there
      const mounts = asRoot ? await runAsUser('cat', ['/proc/self/mountinfo'], { asRoot }) : await runCli(['unshare', 'cat', '/proc/self/mountinfo'], { storage });
      expect(mounts.stdout).not.toContain(join(storage.root, 'containers'));
      // conmon lingers while it runs its exit command (container cleanup); then it is gone
      let procs = await runAsUser('pgrep', ['-f', 'conmon.*-n gone'], { asRoot });
      for (let i = 0; i < 100 && procs.stdout !== ''; i++) {
        await new Promise((r) => setTimeout(r, 100));
        procs = await runAsUser('pgrep', ['-f', 'conmon.*-n gone'], { asRoot });
      }
      expect(procs.stdout).toBe('');
    });

    it('-i forwards stdin (more than one 32 KiB packet) and closes it at EOF', async () => {
      const input = 'x'.repeat(100_000);
      const r = await runCli(['run', '--rm', '-i', image, 'wc', '-c'], { storage, input });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('100000');
    });

    it('ps lists running containers from files; a killed conmon turns into exited, never a hang', async () => {
      const d = await runCli(['run', '-d', '--name', 'lister', image, 'sleep', '600'], { storage });
      expect(d.code).toBe(0);
      const ps = await runCli(['ps', '--format', '{{.Names}} {{.Status}} {{.Image}}'], { storage });
      expect(ps.stdout).toMatch(/^lister Up .* docker\.io\/library\/alpine:latest$/m);
      const json = JSON.parse((await runCli(['ps', '-a', '--format', 'json'], { storage })).stdout);
      const me = json.find((c: { Names: string[] }) => c.Names[0] === 'lister');
      expect(me).toMatchObject({ State: 'running', Image: 'docker.io/library/alpine:latest', AutoRemove: false });
      expect(Object.keys(me)).toEqual(expect.arrayContaining(['Id', 'Command', 'Created', 'CreatedAt', 'ExitCode', 'Exited', 'ImageID', 'Labels', 'Pid', 'StartedAt', 'Status']));
      const rec = JSON.parse(readFileSync(join(storage.root, 'containers', me.Id, 'container.json'), 'utf8'));
      process.kill(rec.state.conmonPid, 'SIGKILL');
      const t = Date.now();
      const after = await runCli(['ps', '-a', '--filter', 'name=lister', '--format', '{{.State}}'], { storage });
      expect(Date.now() - t).toBeLessThan(10_000);
      expect(after.stdout.trim()).toBe('exited');
      await runCli(['rm', '-f', 'lister'], { storage });
    });
  });
}

suite('rootless');
suite('rootful');
