/** Bindings for the syscalls Node lacks, each module named after the call it wraps. */
export { lastErrno } from './libc.js';
export { flock, flockAsync, FileLock, type LockOp, type LockMode } from './flock.js';
export { makedev, mknod, mkWhiteout, mkfifo, S_IFIFO, S_IFCHR, S_IFBLK } from './mknod.js';
export { lsetxattr, lgetxattr, llistxattr, lremovexattr } from './xattr.js';
export { execve } from './execve.js';
export { statfs, fsTypeName, type StatFs } from './statfs.js';
export { SeqpacketSocket } from './seqpacket.js';
