import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RLIM_INFINITY } from '../../../src/oci/runtime.js';
import { bindSources, hasFilesystem, mappedIdCount, readHostBasics, mountFlagsOf, parseCapBnd, parseProcLimits, readHostRlimits, readSeccompProfile, readSourceMountFlags } from '../../../src/runtime/spec/host.js';
import { DEFAULT_CAPABILITIES } from '../../../src/runtime/spec/security.js';
import { parseMountInfo } from '../../../src/system/host.js';
import { cfg } from './fixtures.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
Max processes             32768                32768                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
Max nice priority         0                    0
Max realtime timeout      unlimited            unlimited            us
`;

describe('host facts parsers', () => {
  it('parseProcLimits', () => {
    const l = parseProcLimits(LIMITS);
    expect(l.nofile).toEqual({ soft: 20000, hard: 20000 });
    expect(l.nproc).toEqual({ soft: 32768, hard: 32768 });
    expect(l.stack).toEqual({ soft: 8388608, hard: RLIM_INFINITY });
    expect(l.cpu).toEqual({ soft: RLIM_INFINITY, hard: RLIM_INFINITY });
    expect(l.nice).toEqual({ soft: 0, hard: 0 });
    expect(l.rttime).toEqual({ soft: RLIM_INFINITY, hard: RLIM_INFINITY });
    expect(Object.keys(l)).toHaveLength(8);
  });
  it('reads this process\'s limits', () => {
    const l = readHostRlimits();
    expect(l.nofile).toBeDefined();
    expect(l.nproc).toBeDefined();
  });
  it('parseCapBnd', () => {
    expect(parseCapBnd('Name:\tx\nCapBnd:\t000001ffffffffff\n')).toHaveLength(41);
    // Podman's default set: chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service sys_chroot setfcap
    expect(parseCapBnd('CapBnd:\t00000000800405fb\n')!.sort()).toEqual(DEFAULT_CAPABILITIES);
    expect(parseCapBnd('CapBnd:\t0000000000000001\n')).toEqual(['CAP_CHOWN']);
    expect(parseCapBnd('no caps here')).toBeUndefined();
  });
  it('mappedIdCount', () => {
    expect(mappedIdCount('         0       1001          1\n         1     100000      65536\n')).toBe(65537);
    expect(mappedIdCount('0 0 4294967295\n')).toBe(4294967295);
  });
  it('mountFlagsOf: the flags of the longest matching mount point', () => {
    const mounts = parseMountInfo(
      [
        '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
        '30 22 0:25 / /tmp rw,nosuid,nodev shared:5 - tmpfs tmpfs rw',
        '31 22 0:26 / /mnt/usb rw,nosuid,nodev,noexec - vfat /dev/sdb1 rw',
      ].join('\n'),
    );
    expect(mountFlagsOf('/home/u', mounts)).toEqual({ nosuid: false, nodev: false, noexec: false });
    expect(mountFlagsOf('/tmp/x', mounts)).toEqual({ nosuid: true, nodev: true, noexec: false });
    expect(mountFlagsOf('/mnt/usb', mounts)).toEqual({ nosuid: true, nodev: true, noexec: true });
    expect(mountFlagsOf('/mnt/usbstick', mounts)).toEqual({ nosuid: false, nodev: false, noexec: false });
  });
  it('readSourceMountFlags resolves symlinks, and judges a missing path by its existing parent', () => {
    const d = realpathSync(mkdtempSync(join(tmpdir(), 'tsc-flags-')));
    try {
      mkdirSync(join(d, 'real'));
      symlinkSync(join(d, 'real'), join(d, 'link'));
      const mounts = parseMountInfo(`22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n40 22 0:30 / ${d}/real rw,nosuid,noexec - tmpfs tmpfs rw\n`);
      const flags = readSourceMountFlags([join(d, 'link'), join(d, 'real/missing/x'), join(d, 'other')], mounts);
      expect(flags[join(d, 'link')]).toEqual({ nosuid: true, nodev: false, noexec: true });
      expect(flags[join(d, 'real/missing/x')]).toEqual({ nosuid: true, nodev: false, noexec: true });
      expect(flags[join(d, 'other')]).toEqual({ nosuid: false, nodev: false, noexec: false });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
  it('hasFilesystem', () => {
    const fs = 'nodev\tsysfs\nnodev\tmqueue\n\text4\n';
    expect(hasFilesystem(fs, 'mqueue')).toBe(true);
    expect(hasFilesystem(fs, 'ext4')).toBe(true);
    expect(hasFilesystem(fs, 'btrfs')).toBe(false);
  });
  it('readHostBasics on this machine', () => {
    const b = readHostBasics();
    expect(b.arch).toBe(process.arch);
    expect(b.rlimits?.nofile).toBeDefined();
    expect(b.boundingCaps?.length).toBeGreaterThan(0);
    expect(typeof b.hostDevMqueue).toBe('boolean');
  });
  it('bindSources', () => {
    expect(bindSources(cfg({ volume: ['/a:/a', 'v:/v'], tmpfs: ['/t'], init: true }), '/usr/bin/catatonit')).toEqual(['/a', '/usr/bin/catatonit']);
  });
});


describe('readSeccompProfile', () => {
  it('unconfined: none; an explicit file is read; a missing one is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsc-seccomp-'));
    try {
      const f = join(dir, 'p.json');
      writeFileSync(f, '{"defaultAction":"SCMP_ACT_ALLOW"}');
      expect(readSeccompProfile(cfg({ securityOpt: ['seccomp=unconfined'] }))).toBeUndefined();
      expect(readSeccompProfile(cfg({ securityOpt: [`seccomp=${f}`] }))).toEqual({ defaultAction: 'SCMP_ACT_ALLOW' });
      expect(() => readSeccompProfile(cfg({ securityOpt: [`seccomp=${dir}/none.json`] }))).toThrow(`opening seccomp profile ${dir}/none.json failed`);
      expect(readSeccompProfile(cfg(), [join(dir, 'missing.json'), f])).toEqual({ defaultAction: 'SCMP_ACT_ALLOW' });
      expect(readSeccompProfile(cfg(), [join(dir, 'missing.json')])).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
