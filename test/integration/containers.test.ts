import { mkdtempSync, readFileSync, statSync, chownSync, existsSync } from 'node:fs';
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
      expect(existsSync(join(storage.root, 'containers'))).toBe(true);
      const left = await runAsUser('sh', ['-c', `ls ${join(storage.root, 'containers')} | wc -l; grep -c ${storage.root} /proc/self/mountinfo || true; pgrep -f "conmon.*gone" || true`], { asRoot });
      expect(left.stdout.split('\n').slice(0, 2)).toEqual(['0', '0']);
    });
  });
}

suite('rootless');
suite('rootful');
