/**
 * statfs(2): which filesystem a path is on (overlay upper dirs, storage on NFS or tmpfs, …)
 * and how full it is.
 */
import { HostError, SyscallError } from '../errors.js';
import { fnTyped, koffi, lastErrno } from './libc.js';

export interface StatFs {
  /** The filesystem's magic number (f_type). */
  type: number;
  /** A name for `type` ('ext4', 'overlayfs', 'tmpfs', …), else its hex value like '0xabcd'. */
  typeName: string;
  bsize: number;
  /** Fragment size: the unit of blocks/bfree/bavail. */
  frsize: number;
  blocks: number;
  bfree: number;
  /** Free blocks an unprivileged user may use. */
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  /** Mount flags, ST_* (ST_RDONLY 1, ST_NOSUID 2, ST_NODEV 4, ST_NOEXEC 8, …). */
  flags: number;
}

/** Magic numbers from linux/magic.h (ext2/3/4 share one). */
const MAGIC: Record<number, string> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x2fc12fc1: 'zfs',
  0xca451a4e: 'bcachefs',
  0xf2f52010: 'f2fs',
  0x794c7630: 'overlayfs',
  0x65735546: 'fuse',
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0x73717368: 'squashfs',
  0x6969: 'nfs',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb2',
  0x01021997: 'v9fs',
  0xf15f: 'ecryptfs',
  0x61756673: 'aufs',
  0x4d44: 'vfat',
  0x5346544e: 'ntfs',
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x6e736673: 'nsfs',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
};

export function fsTypeName(type: number): string {
  return MAGIC[type] ?? `0x${type.toString(16)}`;
}

/**
 * glibc's struct statfs on 64-bit Linux with the generic layout (x86_64, aarch64, riscv64,
 * ppc64): every field a long (f_blocks… are fsblkcnt_t/fsfilcnt_t, 64-bit) except f_fsid,
 * two ints; 120 bytes. s390x and 32-bit ABIs differ and are refused rather than misread.
 */
const statfsFn = () =>
  fnTyped('statfs', 'statfs', 'int', () => {
    if (!['x64', 'arm64', 'riscv64', 'ppc64', 'loong64'].includes(process.arch)) {
      throw new HostError(`statfs: struct statfs layout of ${process.arch} is not supported`);
    }
    const k = koffi();
    const type = k.struct({
      f_type: 'long',
      f_bsize: 'long',
      f_blocks: 'uint64',
      f_bfree: 'uint64',
      f_bavail: 'uint64',
      f_files: 'uint64',
      f_ffree: 'uint64',
      f_fsid: k.array('int', 2),
      f_namelen: 'long',
      f_frsize: 'long',
      f_flags: 'long',
      f_spare: k.array('long', 4),
    });
    return ['const char *', k.out(k.pointer(type))];
  });

type Num = number | bigint;

export function statfs(path: string): StatFs {
  const out: Record<string, Num> = {};
  if (statfsFn()(path, out) !== 0) throw new SyscallError('statfs', lastErrno(), path);
  // f_type is a long, magic numbers are 32-bit: read its low half unsigned, whatever the sign.
  const type = Number(BigInt.asUintN(32, BigInt(out.f_type ?? 0)));
  const n = (v: Num | undefined) => Number(v ?? 0);
  return {
    type,
    typeName: fsTypeName(type),
    bsize: n(out.f_bsize),
    frsize: n(out.f_frsize),
    blocks: n(out.f_blocks),
    bfree: n(out.f_bfree),
    bavail: n(out.f_bavail),
    files: n(out.f_files),
    ffree: n(out.f_ffree),
    namelen: n(out.f_namelen),
    flags: n(out.f_flags),
  };
}
