/**
 * Extended attributes through the l* calls: they act on a symlink itself, never on its target
 * (a layer's symlink may point anywhere on the host).
 */
import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

const ERANGE = 34;
const ENODATA = 61;
const XATTR_SIZE_MAX = 65536;
const XATTR_LIST_MAX = 65536;

/** flags: 0, XATTR_CREATE (1, fail if it exists) or XATTR_REPLACE (2, fail if it does not). */
export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  const f = fn('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');
  if (f(path, name, value, value.length, flags) !== 0) throw new SyscallError('lsetxattr', lastErrno(), path, `xattr ${name}`);
}

/**
 * Read into a buffer that grows on ERANGE. A first guess avoids a size query per call; the
 * attribute can change between calls, so the size is never trusted.
 */
function readGrowing(call: (buf: Buffer, size: number) => number, first: number, max: number): { n: number; buf: Buffer } | { errno: number } {
  for (let size = first; ; size = Math.min(size * 4, max)) {
    const buf = Buffer.alloc(size);
    const n = call(buf, size);
    if (n >= 0) return { n, buf };
    const errno = lastErrno();
    if (errno !== ERANGE || size >= max) return { errno };
  }
}

/** The value, or undefined when the attribute is not set (ENODATA). */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const f = fn('intptr_t lgetxattr(const char *path, const char *name, uint8_t *value, size_t size)');
  const r = readGrowing((buf, size) => Number(f(path, name, buf, size)), 256, XATTR_SIZE_MAX);
  if ('buf' in r) return r.buf.subarray(0, r.n);
  if (r.errno === ENODATA) return undefined;
  throw new SyscallError('lgetxattr', r.errno, path, `xattr ${name}`);
}

/** Names of the attributes this caller may see (trusted.* only for root, for example). */
export function llistxattr(path: string): string[] {
  const f = fn('intptr_t llistxattr(const char *path, uint8_t *list, size_t size)');
  const r = readGrowing((buf, size) => Number(f(path, buf, size)), 1024, XATTR_LIST_MAX);
  if (!('buf' in r)) throw new SyscallError('llistxattr', r.errno, path);
  return r.buf.toString('utf8', 0, r.n).split('\0').filter(Boolean);
}

export function lremovexattr(path: string, name: string): void {
  const r = fn('int lremovexattr(const char *path, const char *name)')(path, name);
  if (r !== 0) throw new SyscallError('lremovexattr', lastErrno(), path, `xattr ${name}`);
}
