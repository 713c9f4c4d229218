import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertSeccompProfile, parseSeccompProfile, type SeccompProfile } from '../../../src/runtime/spec/seccomp.js';
import { DEFAULT_CAPABILITIES } from '../../../src/runtime/spec/security.js';

const profile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_PTRACE'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errno: 'EPERM', errnoRet: 99 },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errno: 'ENOSYS', excludes: { arches: ['s390x'] } },
    { names: ['new_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.9' } },
    { name: 'single', action: 'SCMP_ACT_ALLOW' },
  ],
};

describe('convertSeccompProfile', () => {
  it('keeps the rules for amd64 and the default capabilities', () => {
    const s = convertSeccompProfile(profile, { arch: 'x64', boundingCaps: DEFAULT_CAPABILITIES, kernel: '6.1.0-13-amd64' })!;
    expect(s.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.defaultErrnoRet).toBe(38);
    expect(s.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(s.syscalls).toEqual([
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['single'], action: 'SCMP_ACT_ALLOW' },
    ]);
  });
  it('follows the architecture and the capabilities', () => {
    const s = convertSeccompProfile(profile, { arch: 'arm64', boundingCaps: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], kernel: '6.10' })!;
    expect(s.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    const names = s.syscalls!.map((c) => c.names[0]);
    expect(names).toContain('arm_fadvise64_64');
    expect(names).toContain('mount');
    expect(names).toContain('new_call');
    expect(names).not.toContain('arch_prctl');
    expect(names).not.toContain('ptrace');
  });
  it('s390x is excluded from the clone3 rule', () => {
    const s = convertSeccompProfile(profile, { arch: 's390x', boundingCaps: [] })!;
    expect(s.syscalls!.map((c) => c.names[0])).not.toContain('clone3');
    expect(s.architectures).toBeUndefined();
  });
  it('an empty profile disables seccomp', () => {
    expect(convertSeccompProfile({ defaultAction: '' }, { arch: 'x64', boundingCaps: [] })).toBeUndefined();
  });
  it.each([
    [{ defaultAction: 'SCMP_ACT_MAYBE' }, 'unknown action'],
    [{ defaultAction: 'SCMP_ACT_ERRNO', defaultErrno: 'EWHAT' }, 'unknown errno EWHAT'],
    [{ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }, "use either 'architectures' or 'archMap'"],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, "use either 'name' or 'names'"],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_LIKE' }] }] }, 'unknown operator'],
  ])('%j → %s', (p, msg) => expect(() => convertSeccompProfile(p as SeccompProfile, { arch: 'x64', boundingCaps: [] })).toThrow(msg));
  it('parseSeccompProfile names the file on bad JSON', () => {
    expect(() => parseSeccompProfile('{', '/x.json')).toThrow('decoding seccomp profile /x.json failed');
    expect(() => parseSeccompProfile('[]', '/x.json')).toThrow('not a JSON object');
  });

  const hostProfile = '/usr/share/containers/seccomp.json';
  it.skipIf(!existsSync(hostProfile))('converts the host profile from containers-common', () => {
    const p = parseSeccompProfile(readFileSync(hostProfile, 'utf8'), hostProfile);
    const s = convertSeccompProfile(p, { arch: 'x64', boundingCaps: DEFAULT_CAPABILITIES })!;
    expect(s.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(s.defaultErrnoRet).toBe(38);
    const allowed = new Set(s.syscalls!.filter((c) => c.action === 'SCMP_ACT_ALLOW').flatMap((c) => c.names));
    expect(allowed.has('read')).toBe(true);
    expect(allowed.has('arch_prctl')).toBe(true);
    // Without CAP_SYS_ADMIN, bpf is refused with EPERM; with it, allowed.
    expect(allowed.has('bpf')).toBe(false);
    expect(s.syscalls!.find((c) => c.names.includes('bpf'))).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    const admin = convertSeccompProfile(p, { arch: 'x64', boundingCaps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] })!;
    expect(admin.syscalls!.filter((c) => c.action === 'SCMP_ACT_ALLOW').flatMap((c) => c.names)).toContain('bpf');
  });
});
