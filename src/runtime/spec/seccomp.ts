/**
 * Seccomp: turn a profile in the containers/Docker format (`/usr/share/containers/seccomp.json`,
 * `--security-opt seccomp=FILE`) into the OCI `linux.seccomp` the runtime loads, by the rules of
 * containers/common pkg/seccomp setupSeccomp: keep the rules whose `includes`/`excludes` match the
 * host architecture and the container's bounding capabilities.
 */
import { UsageError } from '../../errors.js';
import type { LinuxSeccomp, LinuxSeccompAction, LinuxSeccompOperator, LinuxSyscall } from '../../oci/runtime.js';

export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompRule {
  name?: string;
  names?: string[];
  action: string;
  args?: { index: number; value: number; valueTwo?: number; op: string }[] | null;
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
  errnoRet?: number;
  errno?: string;
}

/** The containers/Docker seccomp profile format. */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  defaultErrno?: string;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[] | null;
}

/** Node's `process.arch` → the names profiles use in `includes.arches` (libseccomp's). */
const NODE_TO_SECCOMP_NAME: Record<string, string> = {
  x64: 'amd64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  ppc64: 'ppc64le',
  mips64el: 'mipsel64',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** libseccomp native arch names → the `archMap` entry to use (containers/common nativeToSeccomp). */
const NATIVE_TO_SCMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  s390x: 'SCMP_ARCH_S390X',
};

/** errno names a profile may use in `errno`/`defaultErrno` (asm-generic numbering, as x86 and arm). */
const ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28, ESPIPE: 29,
  EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38, ENOTEMPTY: 39,
  ELOOP: 40, ENOMSG: 42, EIDRM: 43, ENOSTR: 60, ENODATA: 61, ETIME: 62, ENOSR: 63, EREMOTE: 66, ENOLINK: 67, EPROTO: 71,
  EMULTIHOP: 72, EBADMSG: 74, EOVERFLOW: 75, EILSEQ: 84, EUSERS: 87, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, EPROTOTYPE: 91,
  ENOPROTOOPT: 92, EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, ENOTSUP: 95, EPFNOSUPPORT: 96, EAFNOSUPPORT: 97,
  EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102, ECONNABORTED: 103, ECONNRESET: 104,
  ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108, ETOOMANYREFS: 109, ETIMEDOUT: 110, ECONNREFUSED: 111,
  EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115, ESTALE: 116, EDQUOT: 122, ECANCELED: 125,
  EOWNERDEAD: 130, ENOTRECOVERABLE: 131, ERFKILL: 132, EHWPOISON: 133,
};

const ACTIONS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']);
const OPERATORS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

function action(a: string): LinuxSeccompAction {
  if (!ACTIONS.has(a)) throw new UsageError(`seccomp profile: unknown action "${a}"`);
  return a as LinuxSeccompAction;
}

function errnoOf(name: string | undefined, ret: number | undefined): number | undefined {
  if (name === undefined || name === '') return ret;
  if (/^\d+$/.test(name)) return Number(name);
  const n = ERRNO[name];
  if (n === undefined) throw new UsageError(`seccomp profile: unknown errno ${name}`);
  return n;
}

/** Kernel versions `6.1`, `5.10.0-12-amd64` → comparable [major, minor]. */
function kernelAtLeast(have: string | undefined, want: string): boolean {
  if (!have) return true;
  const p = (s: string) => s.split(/[.-]/).slice(0, 2).map((x) => Number.parseInt(x, 10) || 0);
  const [hm = 0, hn = 0] = p(have);
  const [wm = 0, wn = 0] = p(want);
  return hm > wm || (hm === wm && hn >= wn);
}

export interface SeccompContext {
  /** `process.arch` form. */
  arch: string;
  /** The container's bounding capabilities. */
  boundingCaps: string[];
  /** `uname -r`, for `minKernel` filters; undefined = take every rule. */
  kernel?: string | undefined;
}

/** The OCI seccomp config for one container, or undefined when the profile disables seccomp. */
export function convertSeccompProfile(profile: SeccompProfile, ctx: SeccompContext): LinuxSeccomp | undefined {
  const rules = profile.syscalls ?? [];
  if (!profile.defaultAction && rules.length === 0) return undefined;
  const native = NODE_TO_SECCOMP_NAME[ctx.arch] ?? ctx.arch;
  const out: LinuxSeccomp = { defaultAction: action(profile.defaultAction) };
  const defErrno = errnoOf(profile.defaultErrno, profile.defaultErrnoRet);
  if (defErrno !== undefined) out.defaultErrnoRet = defErrno;

  if (profile.architectures?.length && profile.archMap?.length) {
    throw new UsageError("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const arches: string[] = [...(profile.architectures ?? [])];
  const scmp = NATIVE_TO_SCMP[native];
  for (const a of profile.archMap ?? []) {
    if (scmp && a.architecture === scmp) {
      arches.push(a.architecture, ...(a.subArchitectures ?? []));
      break;
    }
  }
  if (arches.length) out.architectures = arches;
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;

  const has = (cap: string) => ctx.boundingCaps.includes(cap);
  const syscalls: LinuxSyscall[] = [];
  for (const r of rules) {
    const inc = r.includes ?? {};
    const exc = r.excludes ?? {};
    if (exc.arches?.includes(native)) continue;
    if (exc.caps?.some(has)) continue;
    if (inc.arches?.length && !inc.arches.includes(native)) continue;
    if (inc.caps?.length && !inc.caps.every(has)) continue;
    if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) continue;
    if (r.name && r.names?.length) throw new UsageError("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    const names = r.name ? [r.name] : (r.names ?? []);
    if (names.length === 0) continue;
    const call: LinuxSyscall = { names: [...names], action: action(r.action) };
    const errno = errnoOf(r.errno, r.errnoRet);
    if (errno !== undefined) call.errnoRet = errno;
    if (r.args?.length) {
      call.args = r.args.map((a) => {
        if (!OPERATORS.has(a.op)) throw new UsageError(`seccomp profile: unknown operator "${a.op}"`);
        return { index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: a.op as LinuxSeccompOperator };
      });
    }
    syscalls.push(call);
  }
  if (syscalls.length) out.syscalls = syscalls;
  return out;
}

/** Parse a profile file's text (JSON). */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`decoding seccomp profile ${source} failed: ${(err as Error).message}`);
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new UsageError(`decoding seccomp profile ${source} failed: not a JSON object`);
  return p as SeccompProfile;
}
