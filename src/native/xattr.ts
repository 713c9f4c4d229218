import { SyscallError } from '../errors.js';
import { fn, lastErrno } from './libc.js';

const ENODATA = 61;
const ERANGE = 34;

/** Set an extended attribute on the path itself (a symlink is not followed). */
export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  const r = fn('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)')(path, name, value, value.length, flags);
  if (r !== 0) throw new SyscallError('lsetxattr', lastErrno(), path, name);
}

/** undefined when the attribute is not set. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const f = fn('intptr_t lgetxattr(const char *path, const char *name, _Out_ void *value, size_t size)');
  for (let size = 256; ; size *= 4) {
    const buf = Buffer.alloc(size);
    const n = Number(f(path, name, buf, size));
    if (n >= 0) return buf.subarray(0, n);
    const e = lastErrno();
    if (e === ENODATA) return undefined;
    if (e === ERANGE && size < 1 << 20) continue;
    throw new SyscallError('lgetxattr', e, path, name);
  }
}

export function llistxattr(path: string): string[] {
  const f = fn('intptr_t llistxattr(const char *path, _Out_ char *list, size_t size)');
  for (let size = 1024; ; size *= 4) {
    const buf = Buffer.alloc(size);
    const n = Number(f(path, buf, size));
    if (n >= 0) return buf.subarray(0, n).toString('utf8').split('\0').filter(Boolean);
    const e = lastErrno();
    if (e === ERANGE && size < 1 << 20) continue;
    throw new SyscallError('llistxattr', e, path);
  }
}

export function lremovexattr(path: string, name: string): void {
  const r = fn('int lremovexattr(const char *path, const char *name)')(path, name);
  if (r !== 0) throw new SyscallError('lremovexattr', lastErrno(), path, name);
}
