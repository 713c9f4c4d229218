// The whole path under a real `systemd --user` (root test runs only, see support/user-manager.ts):
// our generator turns ~/.config/containers/systemd/web.container into web.service at manager
// start, `systemctl --user start` returns once conmon's READY=1 arrived, MainPID is conmon, and
// `systemctl --user stop` stops and removes the container. The application exits 0 on SIGTERM:
// conmon, the main process, exits with the container's status, and systemd calls any other a failure.
import { readFileSync, writeFileSync, mkdirSync, chownSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harness, newStorage, runCli, userTempDir } from '../harness/index.js';
import { startUserManager, userManagerPossible } from './support/user-manager.js';

describe('quadlet under a real systemd --user', () => {
  const h = harness();

  it.skipIf(!userManagerPossible())('generator → systemctl --user start/stop', async () => {
    const storage = newStorage();
    expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
    const ref = (await runCli(['images', '--format', '{{.Repository}}:{{.Tag}}'], { storage })).stdout.trim().split('\n')[0]!;
    const config = userTempDir('config-');
    const file = join(config, 'containers', 'systemd', 'web.container');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `[Container]\nImage=${ref}\nContainerName=sysweb\nExec=sh -c "trap 'exit 0' TERM; while :; do sleep 1; done"\n\n[Service]\nEnvironment=TSC_CTR_ROOT=${storage.root} TSC_CTR_RUNROOT=${storage.runroot}\n`,
    );
    for (const p of [join(config, 'containers'), dirname(file), file]) chownSync(p, h.user.uid, h.user.gid);
    const runtimeDir = userTempDir('xdg-');
    const mgr = await startUserManager({
      runtimeDir,
      generator: join(dirname(h.bin), 'tsc-ctr-user-generator'),
      env: { HOME: h.user.home, USER: h.user.name, PATH: '/usr/local/bin:/usr/bin:/bin', XDG_CONFIG_HOME: config },
    });
    try {
      const start = await mgr.systemctl(['start', 'web.service']);
      expect(start.stderr).toBe('');
      expect(start.code).toBe(0);
      const show = await mgr.systemctl(['show', '-p', 'ActiveState', '-p', 'MainPID', '-p', 'Type', 'web.service']);
      expect(show.stdout).toMatch(/^ActiveState=active$/m);
      expect(show.stdout).toMatch(/^Type=notify$/m);
      const mainPid = Number(/^MainPID=(\d+)$/m.exec(show.stdout)?.[1]);
      expect(readFileSync(`/proc/${mainPid}/comm`, 'utf8').trim()).toBe('conmon');
      expect((await runCli(['ps', '--format', '{{.Names}} {{.State}}'], { storage })).stdout).toBe('sysweb running\n');

      const stop = await mgr.systemctl(['stop', 'web.service']);
      expect(stop.code).toBe(0);
      expect((await runCli(['ps', '-a', '-q'], { storage })).stdout).toBe('');
      expect((await mgr.systemctl(['show', '-p', 'ActiveState', 'web.service'])).stdout).toBe('ActiveState=inactive\n');
    } finally {
      await mgr.stop();
    }
  }, 300_000);
});
