import { describe, expect, it } from 'vitest';
import { cleanContainerPath, collectMounts, parseMountFlag, parseTmpfsFlag, parseVolumeFlag, validateVolumeOpts } from '../../../src/runtime/spec/mount-flags.js';

const cwd = '/home/u/proj';

describe('parseVolumeFlag (-v)', () => {
  it.each([
    ['/host:/ctr', { mount: { type: 'bind', source: '/host', destination: '/ctr', options: [] } }],
    ['/host:/ctr:ro', { mount: { type: 'bind', source: '/host', destination: '/ctr', options: ['ro'] } }],
    ['/host:/ctr:ro,nosuid,nodev,noexec,rslave,rbind', { mount: { type: 'bind', source: '/host', destination: '/ctr', options: ['ro', 'nosuid', 'nodev', 'noexec', 'rslave', 'rbind'] } }],
    ['/host:/ctr:z', { mount: { type: 'bind', source: '/host', destination: '/ctr', options: ['z'] } }],
    ['/host:/ctr:cached,rw', { mount: { type: 'bind', source: '/host', destination: '/ctr', options: ['rw'] } }],
    ['/host/:/ctr/sub/../x/', { mount: { type: 'bind', source: '/host', destination: '/ctr/x', options: [] } }],
    ['./data:/data', { mount: { type: 'bind', source: '/home/u/proj/data', destination: '/data', options: [] } }],
    ['../data:/data', { mount: { type: 'bind', source: '/home/u/data', destination: '/data', options: [] } }],
    ['.:/src', { mount: { type: 'bind', source: '/home/u/proj', destination: '/src', options: [] } }],
    ['.hidden:/h', { mount: { type: 'bind', source: '/home/u/proj/.hidden', destination: '/h', options: [] } }],
    ['myvol:/data', { volume: { name: 'myvol', destination: '/data', options: [] } }],
    ['my-vol_1.x:/data:ro,nocopy', { volume: { name: 'my-vol_1.x', destination: '/data', options: ['ro', 'nocopy'] } }],
    ['/data', { volume: { destination: '/data', options: [] } }],
  ])('%s', (v, want) => expect(parseVolumeFlag(v, cwd)).toEqual(want));

  it.each([
    ['x/y:/d', 'invalid volume name "x/y": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (for a host directory use an absolute path or ./x/y)'],
    ['-bad:/d', 'invalid volume name "-bad"'],
    ['/a:/b:ro:extra', 'incorrect volume format "/a:/b:ro:extra", should be [host-dir:]ctr-dir[:option]'],
    [':/d', 'host directory cannot be empty'],
    ['/a:rel', 'invalid container path "rel", must be an absolute path'],
    ['/a:', 'container directory cannot be empty'],
    ['rel', 'invalid container path "rel", must be an absolute path'],
    ['/a:/b:O', 'overlay volumes (:O) are not supported yet'],
    ['/a:/b:upperdir=/u,workdir=/w,O', 'overlay volumes (:O) are not supported yet'],
    ['/a:/b:idmap', 'idmapped mounts are not supported yet'],
    ['/a:/b:ro,rw', "can only specify 1 'rw' or 'ro' option"],
    ['/a:/b:z,Z', "can only specify 1 'z', 'Z', or 'O' option"],
    ['/a:/b:shared,private', "can only specify 1 '[r]shared', '[r]private', '[r]slave' or '[r]unbindable' option"],
    ['/a:/b:bind,rbind', "can only specify 1 '[r]bind' option"],
    ['/a:/b:exec,noexec', "can only specify 1 'noexec' or 'exec' option"],
    ['/a:/b:bogus', 'invalid option type "bogus"'],
    ['/a:/b:U', 'the U (chown) option is not supported yet for host directories'],
    ['vol:/b:U', 'the U (chown) option is not supported yet for volumes'],
    ['/a:/b:nocopy', "'copy' and 'nocopy' apply to volumes only"],
  ])('%s → %s', (v, msg) => expect(() => parseVolumeFlag(v, cwd)).toThrow(msg));
});

describe('parseTmpfsFlag (--tmpfs)', () => {
  it.each([
    ['/tmp', { type: 'tmpfs', source: 'tmpfs', destination: '/tmp', options: [] }],
    ['/tmp:', { type: 'tmpfs', source: 'tmpfs', destination: '/tmp', options: [] }],
    ['/run:size=64m,mode=1777', { type: 'tmpfs', source: 'tmpfs', destination: '/run', options: ['size=64m', 'mode=1777'] }],
  ])('%s', (s, want) => expect(parseTmpfsFlag(s)).toEqual(want));
  it('needs an absolute path', () => expect(() => parseTmpfsFlag('tmp')).toThrow('must be an absolute path'));
});

describe('parseMountFlag (--mount)', () => {
  it.each([
    ['type=bind,src=/a,dst=/b', { mount: { type: 'bind', source: '/a', destination: '/b', options: [] } }],
    ['type=bind,source=/a,target=/b,readonly', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['ro'] } }],
    ['type=bind,src=/a,destination=/b,ro=true', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['ro'] } }],
    ['type=bind,src=/a,dst=/b,ro=false', { mount: { type: 'bind', source: '/a', destination: '/b', options: [] } }],
    ['type=bind,src=/a,dst=/b,rw=false', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['ro'] } }],
    ['type=bind,src=/a,dst=/b,bind-propagation=rshared', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['rshared'] } }],
    ['type=bind,src=/a,dst=/b,bind-nonrecursive', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['bind'] } }],
    ['type=bind,src=/a,dst=/b,nosuid,nodev,noexec,relabel=shared,consistency=cached', { mount: { type: 'bind', source: '/a', destination: '/b', options: ['nosuid', 'nodev', 'noexec'] } }],
    ['dst=/b,type=bind', { mount: { type: 'bind', source: '/b', destination: '/b', options: [] } }],
    ['type=bind,src=data,dst=/b', { mount: { type: 'bind', source: '/home/u/proj/data', destination: '/b', options: [] } }],
    ['type=bind,"src=/a,b",dst=/c', { mount: { type: 'bind', source: '/a,b', destination: '/c', options: [] } }],
    ['type=tmpfs,dst=/t', { mount: { type: 'tmpfs', source: 'tmpfs', destination: '/t', options: [] } }],
    ['type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777,U', { mount: { type: 'tmpfs', source: 'tmpfs', destination: '/t', options: ['size=64m', 'mode=1777', 'U'] } }],
    ['type=tmpfs,dst=/t,notmpcopyup,ro', { mount: { type: 'tmpfs', source: 'tmpfs', destination: '/t', options: ['notmpcopyup', 'ro'] } }],
    ['type=volume,src=cache,dst=/c', { volume: { name: 'cache', destination: '/c', options: [] } }],
    ['type=volume,dst=/anon,ro,volume-nocopy', { volume: { destination: '/anon', options: ['ro', 'nocopy'] } }],
  ])('%s', (s, want) => expect(parseMountFlag(s, cwd)).toEqual(want));

  it.each([
    ['src=/a,dst=/b', 'incorrect mount format: should be --mount type=<bind|tmpfs|volume>'],
    ['type=nfs,dst=/b', 'invalid filesystem type "nfs"'],
    ['type=image,src=alpine,dst=/b', '--mount type=image is not supported yet'],
    ['type=bind,src=/a', 'must set volume destination'],
    ['type=bind,src=/a,dst=b', 'invalid container path "b", must be an absolute path'],
    ['type=bind,src=,dst=/b', 'host directory cannot be empty'],
    ['type=bind,src=/a,dst=/b,ro,rw', "cannot pass 'readonly', 'ro', or 'rw' options more than once"],
    ['type=bind,src=/a,dst=/b,ro=maybe', "'ro' must be set to true or false"],
    ['type=bind,src=/a,dst=/b,tmpfs-size=1m', 'invalid mount option "tmpfs-size"'],
    ['type=bind,src=/a,dst=/b,bind-propagation=weird', 'invalid bind-propagation "weird"'],
    ['type=bind,src=/a,dst=/b,U', 'the U (chown) option is not supported yet for bind mounts'],
    ['type=bind,src=/a,dst', 'must provide an argument for option dst'],
    ['type=tmpfs,src=/a,dst=/b', 'source is not supported with tmpfs mounts'],
    ['type=tmpfs,dst=/b,tmpfs-mode=rwx', 'invalid tmpfs-mode "rwx"'],
    ['type=volume,src=a/b,dst=/b', 'invalid volume name "a/b"'],
    ['type=bind,"src=/a,dst=/b', 'unterminated quote'],
  ])('%s → %s', (s, msg) => expect(() => parseMountFlag(s, cwd)).toThrow(msg));
});

describe('collectMounts', () => {
  it('an identical -v after a --mount is ignored too (Podman compares source and options)', () => {
    expect(collectMounts({ mount: ['type=bind,src=/a,dst=/d'], volume: ['/a:/d'] }, cwd).mounts).toHaveLength(1);
  });
  it('keeps --mount, -v and --tmpfs together, ignoring exact repeats', () => {
    const r = collectMounts({ mount: ['type=volume,src=v,dst=/v'], volume: ['/a:/a', '/a:/a', 'v2:/w', 'v2:/w'], tmpfs: ['/t', '/t:size=1m'] }, cwd);
    expect(r.mounts.map((m) => m.destination)).toEqual(['/a', '/t']);
    expect(r.volumes.map((v) => v.destination)).toEqual(['/v', '/w']);
  });
  it.each([
    [{ volume: ['/a:/d', '/b:/d'] }],
    [{ volume: ['/a:/d'], tmpfs: ['/d'] }],
    [{ mount: ['type=bind,src=/a,dst=/d,ro'], volume: ['/a:/d'] }],
    [{ volume: ['v1:/d', 'v2:/d'] }],
    [{ volume: ['/d', '/d'] }],
    [{ mount: ['type=tmpfs,dst=/d', 'type=tmpfs,dst=/d'] }],
    [{ volume: ['/a:/d/'], tmpfs: ['/d'] }],
  ])('%j → duplicate mount destination', (flags) => expect(() => collectMounts(flags, cwd)).toThrow('duplicate mount destination "/d"'));
});

describe('helpers', () => {
  it.each([
    ['/', '/'],
    ['/a/b/', '/a/b'],
    ['/a//b/./c/..', '/a/b'],
    ['/../x', '/x'],
  ])('cleanContainerPath(%s) = %s', (p, want) => expect(cleanContainerPath(p)).toBe(want));
  it('validateVolumeOpts drops macOS-only options', () => expect(validateVolumeOpts(['delegated', 'ro'], '-v')).toEqual(['ro']));
});
