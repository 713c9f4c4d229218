import { SyscallError } from '../errors.js';
import { fn, koffi, lastErrno } from './libc.js';

export interface StatFs {
  type: number;
  typeName: string;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
}

const MAGIC: Record<number, string> = {
  0x794c7630: 'overlayfs',
  0x01021994: 'tmpfs',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x65735546: 'fuse',
  0x6969: 'nfs',
  0x2fc12fc1: 'zfs',
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0xf15f: 'ecryptfs',
  0x858458f6: 'ramfs',
  0x73717368: 'squashfs',
  0xca451a4e: 'bcachefs',
  0xf2f52010: 'f2fs',
  0x4d44: 'vfat',
  0x61756673: 'aufs',
  0x5346544e: 'ntfs',
  0xff534d42: 'cifs',
  0x01021997: 'v9fs',
  0x6e736673: 'nsfs',
};

let statfsType: unknown;

/** statfs(2) on 64-bit Linux (glibc's struct statfs: all fields long except fsid). */
export function statfs(path: string): StatFs {
  const k = koffi();
  statfsType ??= k.struct('tsc_statfs', {
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
  const out: Record<string, any> = {};
  const r = fn(`int statfs(const char *path, _Out_ tsc_statfs *buf)`)(path, out);
  if (r !== 0) throw new SyscallError('statfs', lastErrno(), path);
  const type = Number(out.f_type) >>> 0;
  return {
    type,
    typeName: MAGIC[type] ?? `0x${type.toString(16)}`,
    bsize: Number(out.f_bsize),
    blocks: Number(out.f_blocks),
    bfree: Number(out.f_bfree),
    bavail: Number(out.f_bavail),
    files: Number(out.f_files),
    ffree: Number(out.f_ffree),
    namelen: Number(out.f_namelen),
  };
}
