import { describe, expect, it } from 'vitest';
import type { Mount } from '../../../src/oci/runtime.js';
import { buildMounts, defaultMounts, processMountOptions, requiredVolumes, sortMounts, type MountContext } from '../../../src/runtime/spec/mounts.js';
import type { ContainerCreateOptions, HostFacts } from '../../../src/runtime/spec/types.js';
import { cfg, rootlessHost } from './fixtures.js';

describe('processMountOptions', () => {
  it.each([
    [[], false, undefined, ['rw', 'rprivate', 'rbind']],
    [['ro'], false, undefined, ['ro', 'rprivate', 'rbind']],
    [['bind'], false, undefined, ['bind', 'rw', 'private']],
    [['rshared'], false, undefined, ['rshared', 'rw', 'rbind']],
    [[], false, { nosuid: true, nodev: true, noexec: true }, ['rw', 'rprivate', 'noexec', 'nosuid', 'nodev', 'rbind']],
    [['suid', 'dev', 'exec'], false, { nosuid: true, nodev: true, noexec: true }, ['suid', 'dev', 'exec', 'rw', 'rprivate', 'rbind']],
    [['z', 'U', 'nocopy'], false, undefined, ['z', 'U', 'nocopy', 'rw', 'rprivate', 'rbind']],
    [[], true, undefined, ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']],
    [['size=64m', 'mode=1777'], true, undefined, ['size=64m', 'mode=1777', 'rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']],
    [['notmpcopyup', 'noexec'], true, undefined, ['noexec', 'rw', 'rprivate', 'nosuid', 'nodev']],
    [['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'], true, undefined, ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']],
    [['consistency'], false, undefined, ['rw', 'rprivate', 'rbind']],
  ])('%j tmpfs=%s flags=%j → %j', (opts, tmpfs, flags, want) => {
    expect(processMountOptions(opts, tmpfs, flags)).toEqual(want);
  });
  it.each([
    [['ro', 'rw'], false, "only one of 'rw' and 'ro' can be used"],
    [['size=1m'], false, "the 'size' option is only allowed with tmpfs mounts"],
    [['mode=700'], false, "the 'mode' option is only allowed with tmpfs mounts"],
    [['tmpcopyup'], false, "the 'tmpcopyup' option is only allowed with tmpfs mounts"],
    [['size=1m', 'size=2m'], true, 'only one tmpfs size can be specified'],
    [['bind'], true, "the 'bind' and 'rbind' options are not allowed with tmpfs mounts"],
    [['Z'], true, "the 'z' and 'Z' options are not allowed with tmpfs mounts"],
    [['shared', 'slave'], false, 'only one root propagation mode can be used'],
    [['uid=5'], true, 'unknown mount option "uid=5"'],
    [['tmpcopyup', 'notmpcopyup'], true, "the 'tmpcopyup' or 'notmpcopyup' option can only be set once"],
  ])('%j tmpfs=%s → %s', (opts, tmpfs, msg) => expect(() => processMountOptions(opts, tmpfs)).toThrow(msg));
});

const byDest = (ms: Mount[]) => Object.fromEntries(ms.map((m) => [m.destination, m]));

describe('defaultMounts', () => {
  it('rootless default: proc, tmpfs /dev, devpts with gid=5, mqueue, ro sysfs, ro cgroup (PODMAN-NOTES §5)', () => {
    expect(defaultMounts(cfg(), rootlessHost())).toEqual([
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ]);
  });

  type Case = [string, ContainerCreateOptions, Partial<HostFacts>, (m: Record<string, Mount>) => void];
  const cases: Case[] = [
    ['fewer than 5 gids mapped: devpts without gid=5', {}, { availableGids: 1 }, (m) => expect(m['/dev/pts']!.options).toEqual(['rprivate', 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'])],
    ['rootful keeps gid=5 whatever the count', {}, { rootless: false, availableGids: 1 }, (m) => expect(m['/dev/pts']!.options).toContain('gid=5')],
    [
      'rootless --network=host: host /sys bound read-only, no cgroup mount',
      { network: 'host' },
      {},
      (m) => {
        expect(m['/sys']).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'ro', 'rbind'] });
        expect(m['/sys/fs/cgroup']).toBeUndefined();
      },
    ],
    ['rootful --network=host still mounts sysfs', { network: 'host' }, { rootless: false }, (m) => expect(m['/sys']!.type).toBe('sysfs')],
    ['rootless --pid=host: /proc is a bind of the host /proc', { pid: 'host' }, {}, (m) => expect(m['/proc']).toEqual({ destination: '/proc', type: 'bind', source: '/proc', options: ['rbind', 'nosuid', 'noexec', 'nodev'] })],
    ['rootless --ipc=host: /dev/mqueue is bound', { ipc: 'host' }, {}, (m) => expect(m['/dev/mqueue']).toEqual({ destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['bind', 'nosuid', 'noexec', 'nodev'] })],
    ['no mqueue in the kernel: none', {}, { mqueue: false }, (m) => expect(m['/dev/mqueue']).toBeUndefined()],
    ['rootless --ipc=host on a host without /dev/mqueue: none', { ipc: 'host' }, { hostDevMqueue: false }, (m) => expect(m['/dev/mqueue']).toBeUndefined()],
    [
      '--privileged: rw sysfs and cgroup',
      { privileged: true },
      {},
      (m) => {
        expect(m['/sys']!.options).toEqual(['rprivate', 'nosuid', 'noexec', 'nodev', 'rw']);
        expect(m['/sys/fs/cgroup']!.options).toContain('rw');
      },
    ],
    ['--privileged with host network, rootless: host /sys rw', { privileged: true, network: 'host' }, {}, (m) => expect(m['/sys']!.options).toEqual(['rprivate', 'nosuid', 'noexec', 'nodev', 'rw', 'rbind'])],
    ['cgroup v2 + unmask=/sys/fs/cgroup: rw', { securityOpt: ['unmask=/sys/fs/cgroup'] }, { cgroups: { version: 2, usable: true } }, (m) => expect(m['/sys/fs/cgroup']!.options).toContain('rw')],
    ['cgroup v2 + unmask=ALL: rw', { securityOpt: ['unmask=ALL'] }, { cgroups: { version: 2, usable: true } }, (m) => expect(m['/sys/fs/cgroup']!.options).toContain('rw')],
    ['cgroup v1 + unmask=ALL: still ro', { securityOpt: ['unmask=ALL'] }, {}, (m) => expect(m['/sys/fs/cgroup']!.options).toContain('ro')],
    ['--read-only --read-only-tmpfs=false: /dev read-only too', { readOnly: true, readOnlyTmpfs: false }, {}, (m) => expect(m['/dev']!.options).toContain('ro')],
    ['--read-only (with tmpfs): /dev stays writable', { readOnly: true }, {}, (m) => expect(m['/dev']!.options).not.toContain('ro')],
  ];
  it.each(cases)('%s', (_name, o, h, check) => check(byDest(defaultMounts(cfg(o), rootlessHost(h)))));
});

describe('sortMounts', () => {
  it('orders by depth and keeps the order of equal depths', () => {
    const ms = ['/a/b/c', '/x', '/a/b', '/', '/a', '/y/z'].map((destination) => ({ destination }));
    expect(sortMounts(ms).map((m) => m.destination)).toEqual(['/', '/x', '/a', '/a/b', '/y/z', '/a/b/c']);
  });
});

function ctx(o: ContainerCreateOptions = {}, h: Partial<HostFacts> = {}, extra: Partial<MountContext> = {}): MountContext {
  return { config: cfg(o), host: rootlessHost(h), imageVolumes: [], volumeSources: {}, uid: 0, gid: 0, initPath: '/usr/bin/catatonit', ...extra };
}

describe('buildMounts', () => {
  it('default rootless container: the order Podman writes (PODMAN-NOTES §5)', () => {
    const ms = buildMounts(ctx());
    expect(ms.map((m) => m.destination)).toEqual([
      '/proc',
      '/dev',
      '/sys',
      '/dev/pts',
      '/dev/mqueue',
      '/etc/resolv.conf',
      '/etc/hosts',
      '/run/.containerenv',
      '/etc/hostname',
      '/dev/shm',
      '/sys/fs/cgroup',
    ]);
    const m = byDest(ms);
    expect(m['/etc/resolv.conf']).toEqual({ destination: '/etc/resolv.conf', type: 'bind', source: '/run/ctr/userdata/resolv.conf', options: ['bind', 'rprivate'] });
    expect(m['/dev/shm']).toEqual({ destination: '/dev/shm', type: 'bind', source: '/data/ctr/userdata/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
  });

  it('user mounts come with defaults completed and sorted among the others', () => {
    const ms = buildMounts(
      ctx(
        { volume: ['/srv/data:/data:ro', '/srv/deep:/var/lib/deep'], tmpfs: ['/scratch:size=1m'], mount: ['type=tmpfs,dst=/cache,U'] },
        { sourceMountFlags: { '/srv/data': { nosuid: true, nodev: true } } },
        { uid: 1000, gid: 100 },
      ),
    );
    const m = byDest(ms);
    expect(m['/data']).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['ro', 'rprivate', 'nosuid', 'nodev', 'rbind'] });
    expect(m['/var/lib/deep']!.options).toEqual(['rw', 'rprivate', 'rbind']);
    expect(m['/scratch']).toEqual({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] });
    expect(m['/cache']!.options).toEqual(['uid=1000', 'gid=100', 'rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
    const order = ms.map((x) => x.destination);
    expect(order.indexOf('/var/lib/deep')).toBeGreaterThan(order.indexOf('/dev/pts'));
    expect(order.indexOf('/data')).toBeLessThan(order.indexOf('/dev/pts'));
  });

  it('a user mount replaces the default or the bound file at its destination', () => {
    const m = byDest(buildMounts(ctx({ volume: ['/my/resolv:/etc/resolv.conf:ro', '/my/shm:/dev/shm'], tmpfs: ['/sys/fs/cgroup'] })));
    expect(m['/etc/resolv.conf']!.source).toBe('/my/resolv');
    expect(m['/dev/shm']!.source).toBe('/my/shm');
    expect(m['/sys/fs/cgroup']!.type).toBe('tmpfs');
  });

  it('a user mount on /dev drops every default under /dev', () => {
    const ds = buildMounts(ctx({ volume: ['/hostdev:/dev'] })).map((m) => m.destination);
    expect(ds).toContain('/dev');
    expect(ds).not.toContain('/dev/pts');
    expect(ds).not.toContain('/dev/mqueue');
  });

  it('--read-only: tmpfs on /tmp, /var/tmp, /run unless taken; bound files read-only (not /dev/shm)', () => {
    const m = byDest(buildMounts(ctx({ readOnly: true, tmpfs: ['/run:size=1m'] })));
    expect(m['/tmp']).toEqual({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] });
    expect(m['/var/tmp']!.type).toBe('tmpfs');
    expect(m['/run']!.options).toContain('size=1m');
    expect(m['/etc/hosts']!.options).toEqual(['bind', 'rprivate', 'ro', 'nosuid', 'noexec', 'nodev']);
    expect(m['/dev/shm']!.options).not.toContain('ro');
  });

  it('--read-only --read-only-tmpfs=false: no tmpfs added', () => {
    const m = byDest(buildMounts(ctx({ readOnly: true, readOnlyTmpfs: false })));
    expect(m['/tmp']).toBeUndefined();
  });

  it('--network=none: no resolv.conf', () => {
    const m = byDest(buildMounts(ctx({ network: 'none' })));
    expect(m['/etc/resolv.conf']).toBeUndefined();
    expect(m['/etc/hosts']).toBeDefined();
  });

  it('without a pre-mounted shm dir the runtime mounts a tmpfs of --shm-size', () => {
    const m = byDest(buildMounts(ctx({ shmSize: '128m' }, { files: {} })));
    expect(m['/dev/shm']).toEqual({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=131072k'] });
    expect(m['/etc/hosts']).toBeUndefined();
  });

  it('--ipc=host binds the host /dev/shm', () => {
    expect(byDest(buildMounts(ctx({ ipc: 'host' })))['/dev/shm']!.source).toBe('/dev/shm');
  });

  it('volumes are bound from the paths the caller gives, with volume defaults', () => {
    const m = byDest(buildMounts(ctx({ volume: ['cache:/cache:ro', '/anon'] }, {}, { volumeSources: { '/cache': '/vol/cache/_data', '/anon': '/vol/abc/_data' } })));
    expect(m['/cache']).toEqual({ destination: '/cache', type: 'bind', source: '/vol/cache/_data', options: ['ro', 'rprivate', 'nosuid', 'nodev', 'rbind'] });
    expect(m['/anon']!.options).toEqual(['rw', 'rprivate', 'nosuid', 'nodev', 'rbind']);
  });

  it('a volume without a host path is an error that names it', () => {
    expect(() => buildMounts(ctx({ volume: ['cache:/cache'] }))).toThrow('no host directory for the volume "cache" at "/cache"');
    expect(() => buildMounts(ctx({ volume: ['/anon'] }))).toThrow('anonymous volume at "/anon"');
  });

  it('image VOLUMEs: anonymous volumes by default, tmpfs or ignored on request, user mounts win', () => {
    const imageVolumes = ['/data', 'relative', '/taken'];
    const sources = { '/data': '/v/1', '/relative': '/v/2' };
    const anon = byDest(buildMounts(ctx({ volume: ['/h:/taken'] }, {}, { imageVolumes, volumeSources: sources })));
    expect(anon['/data']).toEqual({ destination: '/data', type: 'bind', source: '/v/1', options: ['rprivate', 'rw', 'nodev', 'exec', 'nosuid', 'rbind'] });
    expect(anon['/relative']!.source).toBe('/v/2');
    expect(anon['/taken']!.source).toBe('/h');
    const tmp = byDest(buildMounts(ctx({ imageVolume: 'tmpfs' }, {}, { imageVolumes })));
    expect(tmp['/data']).toEqual({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['rprivate', 'rw', 'nodev', 'exec', 'nosuid', 'tmpcopyup'] });
    const none = byDest(buildMounts(ctx({ imageVolume: 'ignore' }, {}, { imageVolumes })));
    expect(none['/data']).toBeUndefined();
  });

  it('--init binds the init binary read-only at /run/podman-init', () => {
    const m = byDest(buildMounts(ctx({ init: true })));
    expect(m['/run/podman-init']).toEqual({ destination: '/run/podman-init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro', 'private'] });
    expect(() => buildMounts(ctx({ init: true }, {}, { initPath: undefined }))).toThrow('no path to init binary found');
    expect(() => buildMounts(ctx({ init: true, volume: ['/x:/run/podman-init'] }))).toThrow('conflict with mount added by --init');
  });
});

describe('requiredVolumes', () => {
  it('lists named, anonymous and image volumes not covered by mounts', () => {
    const c = cfg({ volume: ['named:/n', '/anon', '/h:/covered'] });
    expect(requiredVolumes(c, ['/img', '/covered', '/n'])).toEqual([
      { name: 'named', destination: '/n', options: [] },
      { destination: '/anon', options: [] },
      { destination: '/img', options: ['rprivate', 'rw', 'nodev', 'exec'] },
    ]);
    expect(requiredVolumes(cfg({ imageVolume: 'tmpfs' }), ['/img'])).toEqual([]);
  });
});
