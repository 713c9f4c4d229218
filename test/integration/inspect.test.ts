import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runCli, userTempDir, type Storage } from '../harness/index.js';

describe('inspect containers (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const image = 'alpine';
  let bind: string;
  let data: any;

  beforeAll(async () => {
    storage = newStorage();
    const p = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
    expect(p.code).toBe(0);
    bind = userTempDir('bind-');
    const r = await runCli(
      [
        'run', '-d', '--name', 'insp', '-e', 'FOO=bar', '-v', `${bind}:/data:ro`, '--cap-add', 'net_admin', '--cap-drop', 'CHOWN',
        '--tmpfs', '/scratch:size=1m', '--ulimit', 'nofile=512:1024', '--init', '--label', 'team=qa', image, 'sleep', '60',
      ],
      { storage, timeoutMs: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const i = await runCli(['container', 'inspect', 'insp'], { storage });
    expect(i.stderr).toBe('');
    expect(i.code).toBe(0);
    const arr = JSON.parse(i.stdout);
    expect(arr).toHaveLength(1);
    data = arr[0];
  });

  it("uses Podman's top-level keys and state", () => {
    expect(Object.keys(data).slice(0, 6)).toEqual(['Id', 'Created', 'Path', 'Args', 'State', 'Image']);
    for (const k of ['ImageName', 'Rootfs', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'StaticDir', 'OCIConfigPath', 'OCIRuntime', 'ConmonPidFile', 'Name', 'RestartCount', 'Driver', 'EffectiveCaps', 'BoundingCaps', 'ExecIDs', 'GraphDriver', 'Mounts', 'NetworkSettings', 'Config', 'HostConfig']) {
      expect(data).toHaveProperty(k);
    }
    expect(data.Id).toMatch(/^[0-9a-f]{64}$/);
    expect(data.Name).toBe('insp');
    expect(data.Path).toBe('/run/podman-init');
    expect(data.Args).toEqual(['--', 'sleep', '60']);
    expect(data.State.Status).toBe('running');
    expect(data.State.Running).toBe(true);
    expect(data.State.Pid).toBeGreaterThan(0);
    expect(data.OCIRuntime).toMatch(/^(runc|crun)$/);
    expect(data.Driver).toBe('overlay');
    expect(data.GraphDriver.Data.UpperDir).toMatch(/\/upper$/);
    expect(data.NetworkSettings.IPAddress).toBe('');
  });

  it('shows the spec inputs where Podman puts them', () => {
    expect(data.Config.Env).toContain('FOO=bar');
    expect(data.Config.Labels.team).toBe('qa');
    expect(data.Config.Cmd).toEqual(['sleep', '60']);
    expect(data.HostConfig.CapAdd).toEqual(['CAP_NET_ADMIN']);
    expect(data.HostConfig.CapDrop).toEqual(['CAP_CHOWN']);
    expect(data.EffectiveCaps).toContain('CAP_NET_ADMIN');
    expect(data.EffectiveCaps).not.toContain('CAP_CHOWN');
    expect(data.HostConfig.Tmpfs).toEqual({ '/scratch': 'size=1m' });
    expect(data.HostConfig.Ulimits).toContainEqual({ Name: 'RLIMIT_NOFILE', Soft: 512, Hard: 1024 });
    expect(data.HostConfig.Init).toBe(true);
    expect(data.HostConfig.Binds[0]).toMatch(new RegExp(`^${bind}:/data:ro,`));
    expect(data.Mounts).toEqual([expect.objectContaining({ Type: 'bind', Source: bind, Destination: '/data', RW: false })]);
    expect(data.HostConfig.AutoRemove).toBe(false);
  });

  it('Config.CreateCommand is the command line that created it (after StopSignal, as Podman)', () => {
    const cc: string[] = data.Config.CreateCommand;
    expect(cc[0]).toBe(h.bin);
    expect(cc.slice(cc.indexOf('run'))).toEqual([
      'run', '-d', '--name', 'insp', '-e', 'FOO=bar', '-v', `${bind}:/data:ro`, '--cap-add', 'net_admin', '--cap-drop', 'CHOWN',
      '--tmpfs', '/scratch:size=1m', '--ulimit', 'nofile=512:1024', '--init', '--label', 'team=qa', 'alpine', 'sleep', '60',
    ]);
    const keys = Object.keys(data.Config);
    expect(keys.indexOf('CreateCommand')).toBe(keys.indexOf('StopSignal') + 1);
  });

  it('--format runs a Go template', async () => {
    const r = await runCli(['container', 'inspect', '--format', '{{.State.Status}} {{.Config.Env}}', 'insp'], { storage });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^running \[.*FOO=bar.*\]\n$/);
    const s = await runCli(['inspect', '-s', '-f', '{{.Name}} {{.SizeRw}}', 'insp'], { storage });
    expect(s.stdout).toMatch(/^insp \d+\n$/);
  });

  it('a stopped container shows its exit', async () => {
    const c = await runCli(['run', '--name', 'done', image, 'sh', '-c', 'exit 3'], { storage });
    expect(c.code).toBe(3);
    const r = await runCli(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', 'done'], { storage });
    expect(r.stdout).toBe('exited 3 false\n');
  });

  it('a name that is both a container and an image: the container first, --type picks', async () => {
    const c = await runCli(['create', '--name', image, image, 'true'], { storage });
    expect(c.code).toBe(0);
    const all = await runCli(['inspect', '--format', '{{.Id}}', image], { storage });
    expect(all.stdout.trim()).toBe(c.stdout.trim());
    const img = await runCli(['inspect', '--type', 'image', '--format', '{{.Id}}', image], { storage });
    const imgId = (await runCli(['images', '-q', '--no-trunc'], { storage })).stdout.trim().replace(/^sha256:/, '');
    expect(img.stdout.trim().replace(/^sha256:/, '')).toBe(imgId);
    const ctr = await runCli(['inspect', '--type', 'container', '--format', '{{.Name}}', image], { storage });
    expect(ctr.stdout).toBe(`${image}\n`);
    const both = JSON.parse((await runCli(['inspect', 'insp', 'docker.io/library/alpine:latest'], { storage })).stdout);
    expect(both.map((o: any) => o.Name ?? o.RepoTags[0])).toEqual(['insp', 'docker.io/library/alpine:latest']);
  });

  it('unknown names: 125 and the error', async () => {
    const r = await runCli(['container', 'inspect', 'nope'], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: no such container nope\n');
    expect(r.stdout).toBe('[]\n');
    const t = await runCli(['inspect', 'nope'], { storage });
    expect(t.stderr).toBe('Error: no such object: "nope"\n');
    const l = await runCli(['inspect', '-l', '--format', '{{.Name}}'], { storage });
    expect(l.stdout).toBe(`${image}\n`);
    void join;
    void h;
  });
});
