import { describe, expect, it } from 'vitest';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  isRootUser,
  kernelPathRules,
  mergeCapabilities,
  normalizeCapabilities,
  processCapabilities,
  shouldMask,
  sysctls,
} from '../../../src/runtime/spec/security.js';
import type { ContainerCreateOptions, HostFacts } from '../../../src/runtime/spec/types.js';
import { cfg, rootlessHost } from './fixtures.js';

const ALL = [...ALL_CAPABILITIES].sort();

describe('capability names', () => {
  it.each([
    [['chown'], ['CAP_CHOWN']],
    [['CAP_CHOWN', 'cap_chown', 'Chown'], ['CAP_CHOWN']],
    [['net_admin', 'sys_time'], ['CAP_NET_ADMIN', 'CAP_SYS_TIME']],
    [['all'], ['ALL']],
    [['ALL', 'kill'], ['ALL', 'CAP_KILL']],
  ])('%j → %j', (i, o) => expect(normalizeCapabilities(i)).toEqual(o));
  it('refuses unknown names', () => expect(() => normalizeCapabilities(['CAP_FLY'])).toThrow('unknown capability "CAP_FLY"'));
});

describe('mergeCapabilities', () => {
  const base = DEFAULT_CAPABILITIES;
  it.each([
    ['nothing', [], [], base],
    ['add one', ['NET_ADMIN'], [], [...base, 'CAP_NET_ADMIN'].sort()],
    ['add one already there', ['CHOWN'], [], base],
    ['drop one', [], ['cap_kill'], base.filter((c) => c !== 'CAP_KILL')],
    ['drop one not there', [], ['SYS_ADMIN'], base],
    ['add ALL', ['ALL'], [], ALL],
    ['add ALL, drop one', ['ALL'], ['SYS_ADMIN'], ALL.filter((c) => c !== 'CAP_SYS_ADMIN')],
    ['drop ALL', [], ['ALL'], []],
    ['drop ALL, add one', ['NET_RAW'], ['ALL'], ['CAP_NET_RAW']],
  ])('%s', (_n, add, drop, want) => expect(mergeCapabilities(base, add, drop, ALL)).toEqual(want));
  it.each([
    [['ALL'], ['ALL'], 'adding all caps and removing all caps not allowed'],
    [['KILL'], ['kill'], 'capability "CAP_KILL" cannot be dropped and added'],
  ])('%j/%j → %s', (add, drop, msg) => expect(() => mergeCapabilities(base, add, drop, ALL)).toThrow(msg));
  it('ALL means the bounding set we have, not every capability', () => {
    expect(mergeCapabilities(base, ['ALL'], [], ['CAP_KILL', 'CAP_CHOWN'])).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });
});

describe('processCapabilities', () => {
  const host = rootlessHost();
  const caps = (o: ContainerCreateOptions, user?: string, h: HostFacts = host) => {
    const warnings: string[] = [];
    return { ...processCapabilities(cfg(o), user, h, warnings), warnings };
  };
  it('root: bounding = effective = permitted = the default set; nothing inheritable or ambient (PODMAN-NOTES §5)', () => {
    expect(caps({})).toEqual({ bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES, inheritable: [], ambient: [], warnings: [] });
  });
  it.each(['', 'root', '0', 'root:wheel', '0:10'])('user %j counts as root', (u) => expect(caps({}, u).effective).toEqual(DEFAULT_CAPABILITIES));
  it('another user gets only --cap-add in effective/permitted/inheritable/ambient', () => {
    expect(caps({}, 'alice')).toMatchObject({ bounding: DEFAULT_CAPABILITIES, effective: [], permitted: [], inheritable: [], ambient: [] });
    const c = caps({ capAdd: ['net_bind_service', 'NET_ADMIN'] }, '1000:1000');
    expect(c.bounding).toContain('CAP_NET_ADMIN');
    expect(c.effective).toEqual(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE']);
    expect(c.ambient).toEqual(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE']);
  });
  it('--privileged: the whole bounding set', () => {
    expect(caps({ privileged: true }).bounding).toEqual(ALL);
    expect(caps({ privileged: true }, undefined, rootlessHost({ boundingCaps: ['CAP_SYS_ADMIN', 'CAP_CHOWN'] })).effective).toEqual(['CAP_CHOWN', 'CAP_SYS_ADMIN']);
  });
  it('capabilities outside the host bounding set are left out', () => {
    expect(caps({ capAdd: ['SYS_ADMIN'] }, undefined, rootlessHost({ boundingCaps: DEFAULT_CAPABILITIES })).bounding).toEqual(DEFAULT_CAPABILITIES);
  });
  it('the io.containers.capabilities label narrows the set when allowed, warns when not', () => {
    expect(caps({ label: ['io.containers.capabilities=chown,kill'] }).bounding).toEqual(['CAP_CHOWN', 'CAP_KILL']);
    expect(caps({ label: ['io.containers.capabilities='] }).bounding).toEqual([]);
    const c = caps({ label: ['io.containers.capabilities=SYS_ADMIN,CHOWN'] });
    expect(c.bounding).toEqual(DEFAULT_CAPABILITIES);
    expect(c.warnings[0]).toContain('"CAP_SYS_ADMIN"');
  });
  it('isRootUser', () => {
    expect(isRootUser(undefined)).toBe(true);
    expect(isRootUser('00')).toBe(false);
    expect(isRootUser('nobody')).toBe(false);
  });
});

describe('masked and read-only paths', () => {
  const rules = (o: ContainerCreateOptions, h: Partial<HostFacts> = {}, sysBind = false) => {
    const w: string[] = [];
    return { ...kernelPathRules(cfg(o), rootlessHost(h), sysBind, w), warnings: w };
  };
  it('defaults', () => {
    const r = rules({});
    expect(r.maskedPaths).toEqual(DEFAULT_MASKED_PATHS);
    expect(r.readonlyPaths).toEqual(DEFAULT_READONLY_PATHS);
    expect(r.maskedPaths).toContain('/sys/devices/virtual/powercap');
  });
  it('--privileged: none, but explicit mask= still applies', () => {
    expect(rules({ privileged: true })).toEqual({ maskedPaths: [], readonlyPaths: [], warnings: [] });
    expect(rules({ privileged: true, securityOpt: ['mask=/secret'] }).maskedPaths).toEqual(['/secret']);
  });
  it('unmask=ALL clears the defaults', () => {
    expect(rules({ securityOpt: ['unmask=ALL'] })).toMatchObject({ maskedPaths: [], readonlyPaths: [] });
  });
  it('unmask paths and globs', () => {
    const r = rules({ securityOpt: ['unmask=/proc/*:/sys/firmware'] });
    expect(r.maskedPaths).toEqual(['/sys/devices/virtual/powercap', '/sys/fs/selinux']);
    expect(r.readonlyPaths).toEqual([]);
  });
  it('mask= adds paths, skips relative ones with a warning', () => {
    const r = rules({ securityOpt: ['mask=/a:rel:/b/../c'] });
    expect(r.maskedPaths.slice(-2)).toEqual(['/a', '/c']);
    expect(r.warnings).toEqual(['Path "rel" is not an absolute path, skipping...']);
  });
  it('rootless with the host sysfs bound: /sys/kernel masked too', () => {
    expect(rules({}, {}, true).maskedPaths).toContain('/sys/kernel');
    expect(rules({}, { rootless: false }, true).maskedPaths).not.toContain('/sys/kernel');
  });
  it('rootless --pid=host: user masks are not applied (the host /proc is bound)', () => {
    expect(rules({ pid: 'host', securityOpt: ['mask=/proc/cpuinfo'] }).maskedPaths).not.toContain('/proc/cpuinfo');
  });
  it.each([
    ['/proc/kcore', ['/proc/*'], false],
    ['/proc/kcore', ['/proc/kc?re'], false],
    ['/proc/kcore', ['/proc/k[a-c]ore'], false],
    ['/proc/kcore', ['/proc'], true],
    ['/proc/kcore', ['/*'], true],
    ['/proc/kcore', ['all'], false],
    ['/proc/kcore', ['/x:/proc/kcore'], false],
  ])('shouldMask(%s, %j) = %s', (p, u, want) => expect(shouldMask(p, u)).toBe(want));
});

describe('sysctls', () => {
  it('default ping_group_range, dropped with the host network', () => {
    expect(sysctls(cfg())).toEqual({ 'net.ipv4.ping_group_range': '0 0' });
    expect(sysctls(cfg({ network: 'host' }))).toEqual({});
  });
  it('user values override the defaults', () => {
    expect(sysctls(cfg({ sysctl: ['net.ipv4.ping_group_range=0 1000', 'kernel.msgmax=65536'] }))).toEqual({ 'net.ipv4.ping_group_range': '0 1000', 'kernel.msgmax': '65536' });
  });
});
