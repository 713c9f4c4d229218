import { describe, expect, it } from 'vitest';
import type { ImageRuntimeConfig } from '../../../src/oci/image.js';
import { RLIM_INFINITY, serializeSpec, type Spec } from '../../../src/oci/runtime.js';
import { generateSpec, stopSignalOf } from '../../../src/runtime/spec/generate.js';
import type { SeccompProfile } from '../../../src/runtime/spec/seccomp.js';
import { DEFAULT_CAPABILITIES } from '../../../src/runtime/spec/security.js';
import type { ContainerCreateOptions, HostFacts, SpecInput } from '../../../src/runtime/spec/types.js';
import { cfg, GROUP, PASSWD, rootlessHost } from './fixtures.js';

const busybox: ImageRuntimeConfig = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] };
const users = { passwd: PASSWD, group: GROUP };

function gen(o: ContainerCreateOptions = {}, h: Partial<HostFacts> = {}, extra: Partial<SpecInput> = {}) {
  return generateSpec({ config: cfg(o), image: busybox, host: rootlessHost(h), users, rootfs: '/data/ctr/merged', ...extra });
}

describe('generateSpec: the default rootless container (PODMAN-NOTES §5)', () => {
  it('matches what rootless Podman writes', () => {
    const { spec, warnings } = gen({}, {}, { created: '2026-11-22T11:18:09.238443551Z' });
    expect(warnings).toEqual([]);
    expect(spec).toEqual({
      ociVersion: '1.0.2-dev',
      process: {
        user: { uid: 0, gid: 0, umask: 0o22, additionalGids: [0, 1, 10] },
        args: ['sh'],
        env: ['TERM=xterm', 'container=podman', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'HOSTNAME=652e8c65b8d9'],
        cwd: '/',
        capabilities: { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES, inheritable: [], ambient: [] },
        rlimits: [
          { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
          { type: 'RLIMIT_NPROC', hard: 32768, soft: 32768 },
        ],
      },
      root: { path: '/data/ctr/merged' },
      hostname: '652e8c65b8d9',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] },
        { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
        { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
        { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
        { destination: '/etc/resolv.conf', type: 'bind', source: '/run/ctr/userdata/resolv.conf', options: ['bind', 'rprivate'] },
        { destination: '/etc/hosts', type: 'bind', source: '/run/ctr/userdata/hosts', options: ['bind', 'rprivate'] },
        { destination: '/run/.containerenv', type: 'bind', source: '/run/ctr/userdata/.containerenv', options: ['bind', 'rprivate'] },
        { destination: '/etc/hostname', type: 'bind', source: '/run/ctr/userdata/hostname', options: ['bind', 'rprivate'] },
        { destination: '/dev/shm', type: 'bind', source: '/data/ctr/userdata/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ],
      annotations: {
        'io.container.manager': 'tsc-ctr',
        'io.kubernetes.cri-o.Created': '2026-11-22T11:18:09.238443551Z',
        'io.kubernetes.cri-o.TTY': 'false',
        'io.podman.annotations.autoremove': 'FALSE',
        'io.podman.annotations.init': 'FALSE',
        'io.podman.annotations.privileged': 'FALSE',
        'io.podman.annotations.publish-all': 'FALSE',
        'org.opencontainers.image.stopSignal': '15',
      },
      linux: {
        namespaces: [{ type: 'pid' }, { type: 'network', path: '/run/tsc-ctr/netns/netns-1' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
        maskedPaths: [
          '/proc/acpi',
          '/proc/kcore',
          '/proc/keys',
          '/proc/latency_stats',
          '/proc/sched_debug',
          '/proc/scsi',
          '/proc/timer_list',
          '/proc/timer_stats',
          '/sys/devices/virtual/powercap',
          '/sys/firmware',
          '/sys/fs/selinux',
          '/proc/interrupts',
        ],
        readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
        sysctl: { 'net.ipv4.ping_group_range': '0 0' },
      },
    } satisfies Spec);
  });
});

const seccompProfile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};

describe('generateSpec: options', () => {
  type Case = [string, ContainerCreateOptions, Partial<HostFacts>, (s: Spec) => void];
  const ns = (s: Spec) => s.linux!.namespaces!.map((n) => n.type);
  const mount = (s: Spec, d: string) => s.mounts!.find((m) => m.destination === d);
  const cases: Case[] = [
    [
      'host pid/ipc/uts/network drop their namespaces and take the host name',
      { pid: 'host', ipc: 'host', uts: 'host', network: 'host' },
      {},
      (s) => {
        expect(ns(s)).toEqual(['mount']);
        expect(s.hostname).toBeUndefined();
        expect(s.process!.env).toContain('HOSTNAME=buildhost');
        expect(s.linux!.sysctl).toBeUndefined();
        expect(s.linux!.maskedPaths).toContain('/sys/kernel');
      },
    ],
    [
      '--network=host alone: new UTS namespace named after the host',
      { network: 'host' },
      {},
      (s) => {
        expect(ns(s)).toEqual(['pid', 'ipc', 'uts', 'mount']);
        expect(s.hostname).toBe('buildhost');
      },
    ],
    ['--network=none: the namespace made for it (lo only), not the host\'s', { network: 'none' }, {}, (s) => expect(s.linux!.namespaces![1]).toEqual({ type: 'network', path: '/run/tsc-ctr/netns/netns-1' })],
    ['private network without a netns path: a new namespace', {}, { netnsPath: undefined }, (s) => expect(s.linux!.namespaces![1]).toEqual({ type: 'network' })],
    ['cgroup v2: a private cgroup namespace by default', {}, { cgroups: { version: 2, usable: false } }, (s) => expect(ns(s)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'])],
    ['--cgroupns=host on v2', { cgroupns: 'host' }, { cgroups: { version: 2, usable: false } }, (s) => expect(ns(s)).not.toContain('cgroup')],
    ['--cgroupns=private on v1', { cgroupns: 'private' }, {}, (s) => expect(ns(s)).toContain('cgroup')],
    [
      '--hostname names the container and HOSTNAME',
      { hostname: 'web' },
      {},
      (s) => {
        expect(s.hostname).toBe('web');
        expect(s.process!.env).toContain('HOSTNAME=web');
      },
    ],
    [
      '--privileged: all capabilities, no masks, rw sysfs, annotation',
      { privileged: true },
      { boundingCaps: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] },
      (s) => {
        expect(s.process!.capabilities!.bounding).toEqual(['CAP_CHOWN', 'CAP_SYS_ADMIN']);
        expect(s.linux!.maskedPaths).toBeUndefined();
        expect(s.linux!.readonlyPaths).toBeUndefined();
        expect(mount(s, '/sys')!.options).toContain('rw');
        expect(s.annotations!['io.podman.annotations.privileged']).toBe('TRUE');
      },
    ],
    [
      '--read-only: read-only root, tmpfs on /tmp /var/tmp /run',
      { readOnly: true },
      {},
      (s) => {
        expect(s.root).toEqual({ path: '/data/ctr/merged', readonly: true });
        expect(mount(s, '/tmp')!.type).toBe('tmpfs');
        expect(mount(s, '/run')!.type).toBe('tmpfs');
      },
    ],
    [
      '--init',
      { init: true, rm: true },
      {},
      (s) => {
        expect(s.process!.args).toEqual(['/run/podman-init', '--', 'sh']);
        expect(mount(s, '/run/podman-init')!.source).toBe('/usr/bin/catatonit');
        expect(s.annotations!['io.podman.annotations.init']).toBe('TRUE');
        expect(s.annotations!['io.podman.annotations.autoremove']).toBe('TRUE');
      },
    ],
    ['--init-path wins over the host default', { init: true, initPath: '/opt/tini' }, {}, (s) => expect(mount(s, '/run/podman-init')!.source).toBe('/opt/tini')],
    [
      '-t with a console size',
      { tty: true, interactive: true },
      {},
      (s) => {
        expect(s.process!.terminal).toBe(true);
        expect(s.annotations!['io.kubernetes.cri-o.TTY']).toBe('true');
      },
    ],
    [
      'a non-root user: ids, groups, HOME, and capabilities only from --cap-add',
      { user: 'alice', capAdd: ['NET_BIND_SERVICE'], workdir: '/srv' },
      {},
      (s) => {
        expect(s.process!.user).toEqual({ uid: 1000, gid: 1000, umask: 0o22, additionalGids: [1000, 10, 2000] });
        expect(s.process!.env).toContain('HOME=/home/alice');
        expect(s.process!.cwd).toBe('/srv');
        expect(s.process!.capabilities!.effective).toEqual(['CAP_NET_BIND_SERVICE']);
        expect(s.process!.capabilities!.ambient).toEqual(['CAP_NET_BIND_SERVICE']);
        expect(s.process!.capabilities!.bounding).toEqual(DEFAULT_CAPABILITIES);
      },
    ],
    ['--security-opt no-new-privileges', { securityOpt: ['no-new-privileges'] }, {}, (s) => expect(s.process!.noNewPrivileges).toBe(true)],
    ['--security-opt proc-opts replaces the /proc options', { securityOpt: ['proc-opts=nosuid,hidepid=2'] }, {}, (s) => expect(mount(s, '/proc')!.options).toEqual(['nosuid', 'hidepid=2'])],
    ['--stop-signal', { stopSignal: 'SIGINT' }, {}, (s) => expect(s.annotations!['org.opencontainers.image.stopSignal']).toBe('2')],
    ['--annotation, and the manager annotation can be set', { annotation: ['a=b', 'io.container.manager=other'] }, {}, (s) => expect(s.annotations).toMatchObject({ a: 'b', 'io.container.manager': 'other' })],
    ['a shared bind propagates: root shared', { volume: ['/h:/m:rshared'] }, {}, (s) => expect(s.linux!.rootfsPropagation).toBe('shared')],
    ['a slave bind: root slave', { volume: ['/h:/m:rslave'] }, {}, (s) => expect(s.linux!.rootfsPropagation).toBe('slave')],
    [
      'cgroups usable: pids limit and the cgroups path; rootful adds the device deny rule',
      {},
      { rootless: false, cgroups: { version: 2, usable: true, path: 'machine.slice:tsc:abc' } },
      (s) => {
        expect(s.linux!.cgroupsPath).toBe('machine.slice:tsc:abc');
        expect(s.linux!.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }], pids: { limit: 2048 } });
      },
    ],
    ['cgroups unusable (rootless v1): no resources at all', {}, {}, (s) => expect(s.linux!.resources).toBeUndefined()],
    [
      'seccomp from the host profile, filtered by the container capabilities',
      {},
      { seccompProfile },
      (s) => expect(s.linux!.seccomp).toEqual({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }),
    ],
    ['seccomp with CAP_SYS_ADMIN added', { capAdd: ['SYS_ADMIN'] }, { seccompProfile }, (s) => expect(s.linux!.seccomp!.syscalls).toHaveLength(2)],
    ['seccomp=unconfined: none', { securityOpt: ['seccomp=unconfined'] }, { seccompProfile }, (s) => expect(s.linux!.seccomp).toBeUndefined()],
    ['--privileged without an explicit profile: none', { privileged: true }, { seccompProfile }, (s) => expect(s.linux!.seccomp).toBeUndefined()],
    ['--privileged with an explicit profile: kept', { privileged: true, securityOpt: ['seccomp=/p.json'] }, { seccompProfile }, (s) => expect(s.linux!.seccomp).toBeDefined()],
    ['no profile on the host: no seccomp', {}, {}, (s) => expect(s.linux!.seccomp).toBeUndefined()],
  ];
  it.each(cases)('%s', (_n, o, h, check) => check(gen(o, h, { consoleSize: { height: 40, width: 120 } }).spec));

  it('consoleSize only with a terminal', () => {
    expect(gen({ tty: true }, {}, { consoleSize: { height: 40, width: 120 } }).spec.process!.consoleSize).toEqual({ height: 40, width: 120 });
    expect(gen({}, {}, { consoleSize: { height: 40, width: 120 } }).spec.process!.consoleSize).toBeUndefined();
  });

  it('image settings: USER, WorkingDir, Env, STOPSIGNAL, VOLUME', () => {
    const image: ImageRuntimeConfig = { User: 'bob', WorkingDir: '/app', Env: ['A=1'], Entrypoint: ['/entry'], StopSignal: 'SIGQUIT', Volumes: { '/data': {} } };
    const { spec } = generateSpec({ config: cfg(), image, host: rootlessHost(), users, rootfs: 'rootfs', volumeSources: { '/data': '/vols/x/_data' } });
    expect(spec.process!.user.uid).toBe(1001);
    expect(spec.process!.cwd).toBe('/app');
    expect(spec.process!.args).toEqual(['/entry']);
    expect(spec.process!.env).toContain('A=1');
    expect(spec.annotations!['org.opencontainers.image.stopSignal']).toBe('3');
    expect(spec.mounts!.find((m) => m.destination === '/data')!.source).toBe('/vols/x/_data');
    expect(spec.root).toEqual({ path: 'rootfs' });
  });

  it('surfaces warnings', () => {
    const { warnings } = gen({ user: 'alice', securityOpt: ['mask=relative'] });
    expect(warnings).toEqual(['Additional gid=70000 is not present in the user namespace, skip setting it', 'Path "relative" is not an absolute path, skipping...']);
  });

  it.each([
    [{ user: 'ghost' }, 'unable to find user ghost: no matching entries in passwd file'],
    [{ entrypoint: '' }, 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image'],
    [{ volume: ['named:/n'] }, 'no host directory for the volume "named"'],
  ])('%j → %s', (o, msg) => expect(() => gen(o)).toThrow(msg));

  it('stopSignalOf', () => {
    expect(stopSignalOf({}, {})).toBe(15);
    expect(stopSignalOf({}, { StopSignal: '9' })).toBe(9);
    expect(stopSignalOf({ stopSignal: 10 }, { StopSignal: 'SIGKILL' })).toBe(10);
  });

  it('is deterministic: the same inputs give the same spec', () => {
    expect(serializeSpec(gen({ volume: ['/a:/a'], env: ['X=1'] }).spec)).toBe(serializeSpec(gen({ volume: ['/a:/a'], env: ['X=1'] }).spec));
  });
});

describe('serializeSpec', () => {
  it('writes uint64 rlimits exactly and refuses to be bypassed', () => {
    const { spec } = gen({ ulimit: ['memlock=-1'] }, { rootless: false });
    const text = serializeSpec(spec, 1);
    expect(text).toContain('"hard": 18446744073709551615');
    expect(text).not.toContain('\\u0000');
    expect(() => JSON.stringify(spec)).toThrow(/BigInt/);
    const back = JSON.parse(text) as Spec;
    expect(back.process!.rlimits![0]!.type).toBe('RLIMIT_MEMLOCK');
    expect(RLIM_INFINITY.toString()).toBe('18446744073709551615');
  });
  it('leaves look-alike strings alone', () => {
    const spec: Spec = { ociVersion: '1', annotations: { a: '\u0000123:5', b: '"x"' } };
    expect(JSON.parse(serializeSpec(spec))).toEqual(spec);
  });
});
