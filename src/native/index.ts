export { lastErrno } from './libc.js';
export { flock, flockAsync, FileLock, type LockOp } from './flock.js';
export { makedev, mknod, mkWhiteout, mkfifo } from './mknod.js';
export { lsetxattr, lgetxattr, llistxattr, lremovexattr } from './xattr.js';
export { execve } from './execve.js';
export { statfs, type StatFs } from './statfs.js';
export { SeqpacketSocket } from './seqpacket.js';
