import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cgroupVersionName,
  delegationRoot,
  detectCgroupMode,
  parseProcCgroup,
  parseProcCgroups,
} from '../../../src/system/cgroups.js';
import { formatUptime, mountOf, parseMemInfo, parseMountInfo, parseOsRelease } from '../../../src/system/host.js';
import { installCommand, packageName } from '../../../src/system/checks/hints.js';

// Fixtures: this project's CI machine (hybrid), a systemd cgroup v2 host, a pure v1 host.
const HYBRID = `27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const V2 = `22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw
26 25 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const V1 = `22 1 8:2 / / rw,relatime - xfs /dev/sda2 rw
31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
33 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
`;
const NONE = `22 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw
`;

describe('cgroup detection', () => {
  it('tells v2, hybrid, v1 and none apart from the mount table', () => {
    expect(detectCgroupMode(parseMountInfo(V2))).toBe('v2');
    expect(detectCgroupMode(parseMountInfo(HYBRID))).toBe('hybrid');
    expect(detectCgroupMode(parseMountInfo(V1))).toBe('v1');
    expect(detectCgroupMode(parseMountInfo(NONE))).toBe('none');
  });
  it('reports hybrid as v1, as Podman does', () => {
    expect(cgroupVersionName('hybrid')).toBe('v1');
    expect(cgroupVersionName('v2')).toBe('v2');
  });
  it('parses /proc/self/cgroup for both hierarchies', () => {
    expect(parseProcCgroup('0::/user.slice/user-1000.slice/session-2.scope\n')).toEqual({
      unified: '/user.slice/user-1000.slice/session-2.scope',
      v1: {},
    });
    const h = parseProcCgroup('12:pids:/user.slice\n4:cpu,cpuacct:/\n1:name=systemd:/user.slice/x\n0::/user.slice/x\n');
    expect(h.v1).toEqual({ pids: '/user.slice', cpu: '/', cpuacct: '/', systemd: '/user.slice/x' });
    expect(h.unified).toBe('/user.slice/x');
  });
  it('lists enabled v1 controllers from /proc/cgroups', () => {
    const text = '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t3\t1\t1\ncpu\t4\t1\t1\nrdma\t0\t1\t1\nhugetlb\t5\t1\t0\n';
    expect(parseProcCgroups(text)).toEqual(['cpuset', 'cpu']);
  });
  describe('delegationRoot', () => {
    const root = mkdtempSync(join(tmpdir(), 'cg-test-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const uid = process.getuid!();
    it('is the topmost directory the user owns on the way down', () => {
      mkdirSync(join(root, 'user.slice/user@1000.service/app.slice'), { recursive: true });
      // all owned by us here: the top is the root itself
      expect(delegationRoot('/user.slice/user@1000.service/app.slice', uid, root)).toBe(root);
      expect(delegationRoot('/user.slice', uid + 1, root)).toBeUndefined();
    });
  });
});

describe('mount table', () => {
  it('unescapes octal sequences and finds the longest matching mount', () => {
    const m = parseMountInfo('1 0 0:1 / / rw - ext4 /dev/a rw\n2 1 0:2 / /home/my\\040dir rw - nfs4 srv:/x rw\n3 1 0:3 / /home rw - xfs /dev/b rw\n');
    expect(m[1]!.mountPoint).toBe('/home/my dir');
    expect(mountOf('/home/my dir/store', m)?.fsType).toBe('nfs4');
    expect(mountOf('/home/user/.local', m)?.fsType).toBe('xfs');
    expect(mountOf('/home', m)?.fsType).toBe('xfs');
    expect(mountOf('/homer', m)?.fsType).toBe('ext4');
  });
  it('the last of several mounts on one point wins (it hides the others)', () => {
    const m = parseMountInfo('1 0 0:1 / / rw - ext4 /dev/a rw\n2 1 0:2 / /data rw - ext4 /dev/b rw\n3 2 0:3 / /data rw - overlay overlay rw\n');
    expect(mountOf('/data/x', m)?.fsType).toBe('overlay');
  });
});

describe('os-release', () => {
  it('reads quoted and unquoted values', () => {
    const o = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    expect(o).toMatchObject({ id: 'debian', versionId: '12', codename: 'bookworm', idLike: [] });
    expect(parseOsRelease('ID=ubuntu\nID_LIKE=debian\n').idLike).toEqual(['debian']);
    expect(parseOsRelease("ID='fedora'\nVARIANT_ID=workstation\n")).toMatchObject({ id: 'fedora', variantId: 'workstation' });
  });
  it('install commands follow the distribution and its package names', () => {
    expect(installCommand('uidmap', parseOsRelease('ID=debian\n'))).toBe('sudo apt-get install uidmap');
    expect(installCommand('uidmap', parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n'))).toBe('sudo apt-get install uidmap');
    expect(installCommand('uidmap', parseOsRelease('ID=fedora\n'))).toBe('sudo dnf install shadow-utils');
    expect(installCommand(['passt', 'slirp4netns'], parseOsRelease('ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n'))).toBe('sudo zypper install passt slirp4netns');
    expect(packageName('uidmap', parseOsRelease('ID=alpine\n'))).toBe('shadow-uidmap');
    expect(installCommand('crun', parseOsRelease('ID=gentoo\n'))).toBe("install crun with your distribution's package manager");
  });
});

describe('meminfo and uptime', () => {
  it('reads bytes; memFree is MemAvailable', () => {
    const m = parseMemInfo('MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\nHugePages_Total:       0\n');
    expect(m).toEqual({ memTotal: 16000000 * 1024, memFree: 8000000 * 1024, swapTotal: 2000000 * 1024, swapFree: 1500000 * 1024 });
  });
  it('formats uptime like Podman', () => {
    expect(formatUptime(951272.73)).toBe('264h 14m 32.73s (Approximately 11.01 days)');
    expect(formatUptime(59.5)).toBe('0h 0m 59.50s (Approximately 0.00 days)');
  });
});
