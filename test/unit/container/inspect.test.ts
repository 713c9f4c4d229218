import { describe, expect, it } from 'vitest';
import { inspectContainerData, ZERO_TIME, type InspectFacts } from '../../../src/container/inspect.js';
import type { ContainerRecord } from '../../../src/container/types.js';

const files = {
  dir: '/s/c/x', userdata: '/s/c/x/userdata', run: '/r/c/x', upper: '/s/c/x/upper', work: '/s/c/x/work', merged: '/s/c/x/merged',
  config: '/s/c/x/userdata/config.json', log: '/s/c/x/userdata/ctr.log', attach: '', ctl: '', hosts: '/h', resolv: '/rc', hostname: '/hn',
  pidFile: '/r/c/x/pidfile', conmonPid: '/r/c/x/conmon.pid', exits: '/r/exits',
};

function record(over: Partial<ContainerRecord> = {}, config: Record<string, unknown> = {}): ContainerRecord {
  return {
    id: 'a'.repeat(64), name: 'web', imageId: 'b'.repeat(64), imageName: 'docker.io/library/alpine:latest', created: '2026-01-01T00:00:00.000Z',
    command: ['sh', '-c', 'true'], layers: ['l1'], runtime: '', labels: { a: '1' }, autoRemove: false, tty: false, stdin: false, stopSignal: 15, stopTimeout: 10,
    state: { status: 'created' },
    createOptions: { command: ['sh', '-c', 'true'], env: ['FOO=bar'], hostEnv: [], unsetEnv: [], unsetEnvAll: false, groupAdd: [], capAdd: ['CAP_NET_ADMIN'], capDrop: [], privileged: false, readOnly: false, readOnlyTmpfs: true, mounts: [], volumes: [], imageVolumeMode: 'anonymous', init: false, rlimits: [], ulimitHost: false, shmSize: 65536000, noNewPrivileges: false, mask: [], unmask: [], annotations: {}, labels: {}, tty: false, interactive: false, sysctls: {}, network: 'private', pid: 'private', ipc: 'private', uts: 'private', umask: 0o22, autoRemove: false, publishAll: false, ...config },
    ...over,
  };
}

const facts = (over: Partial<InspectFacts> = {}): InspectFacts => ({
  state: { status: 'created' }, spec: undefined, image: undefined, imageDigest: 'sha256:dd', files, layerDirs: ['/s/layers/l1/diff'], runtimeName: 'runc', volumeDir: (n) => `/v/${n}/_data`, ...over,
});

describe('inspectContainerData', () => {
  it('a created container: zero times, no pid, Podman field order', () => {
    const d = inspectContainerData(record(), facts()) as any;
    expect(Object.keys(d).slice(0, 8)).toEqual(['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ImageDigest', 'ImageName']);
    expect(d.State).toMatchObject({ Status: 'created', Running: false, Pid: 0, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME });
    expect(d.Path).toBe('sh');
    expect(d.Args).toEqual(['-c', 'true']);
    expect(d.Config.Env).toContain('FOO=bar');
    expect(d.Config.Cmd).toEqual(['sh', '-c', 'true']);
    expect(d.EffectiveCaps).toContain('CAP_NET_ADMIN');
    expect(d.HostConfig.ShmSize).toBe(65536000);
    expect(d.HostConfig).not.toHaveProperty('Init');
    expect(d.GraphDriver.Data.LowerDir).toBe('/s/layers/l1/diff');
  });

  it('the spec, when written, is what the container runs with', () => {
    const d = inspectContainerData(
      record({ state: { status: 'running', pid: 42, conmonPid: 41, startedAt: '2026-01-01T00:00:01.000Z' } }, { init: true, rlimits: [{ type: 'RLIMIT_NOFILE', soft: -1, hard: -1 }] }),
      facts({ state: { status: 'running', pid: 42, conmonPid: 41, startedAt: '2026-01-01T00:00:01.000Z' }, spec: { ociVersion: '1.0.2-dev', process: { env: ['A=1'], capabilities: { effective: ['CAP_KILL'], bounding: ['CAP_KILL'] } } } }),
    ) as any;
    expect(d.State).toMatchObject({ Running: true, Pid: 42, ConmonPid: 41, OciVersion: '1.0.2-dev' });
    expect(d.Config.Env).toEqual(['A=1']);
    expect(d.EffectiveCaps).toEqual(['CAP_KILL']);
    expect(d.HostConfig.Init).toBe(true);
    expect(d.HostConfig.Ulimits).toEqual([{ Name: 'RLIMIT_NOFILE', Soft: 18446744073709551615n, Hard: 18446744073709551615n }]);
  });

  it('binds, volumes and tmpfs where Podman puts them', () => {
    const d = inspectContainerData(
      record({}, {
        mounts: [
          { type: 'bind', source: '/host', destination: '/data', options: ['ro'] },
          { type: 'tmpfs', source: 'tmpfs', destination: '/t', options: ['size=1m'] },
        ],
        volumes: [{ name: 'vol', destination: '/v', options: [] }],
      }),
      facts(),
    ) as any;
    expect(d.HostConfig.Binds).toEqual(['/host:/data:ro,rprivate,rbind', 'vol:/v:rw,rprivate,nosuid,nodev,rbind']);
    expect(d.HostConfig.Tmpfs).toEqual({ '/t': 'size=1m' });
    expect(d.Mounts.map((m: any) => [m.Type, m.Destination, m.RW])).toEqual([['bind', '/data', false], ['volume', '/v', true]]);
    expect(d.Mounts[1].Source).toBe('/v/vol/_data');
  });
});
