/**
 * The container's users and groups: parse /etc/passwd and /etc/group, resolve `--user
 * user[:group]` and `--group-add` the way runc's libcontainer/user (which Podman uses) does, and
 * read those files from a rootfs without following symlinks out of it.
 */
import { closeSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, constants as fsConstants } from 'node:fs';
import { NotFoundError, TscCtrError, UsageError } from '../errors.js';

export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
}

/** The process identity a user spec resolves to. */
export interface ExecUser {
  uid: number;
  gid: number;
  /** Groups the user is listed in (only when no group was given explicitly). */
  sgids: number[];
  /** Home directory from the passwd entry; '' when there is none. */
  home: string;
  /** The passwd entry's name, when one matched. */
  name?: string;
}

/** Largest id accepted, as runc (int32 for 32-bit compatibility). */
export const MAX_ID = 2 ** 31 - 1;

/** Lines `name:password:UID:GID:GECOS:directory:shell`; blank, comment and malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = parseId(f[2]);
    const gid = parseId(f[3]);
    // runc turns an unparsable id into 0 (root); an entry we cannot read is safer ignored.
    if (uid === undefined || gid === undefined) continue;
    out.push({ name: f[0] ?? '', password: f[1] ?? '', uid, gid, gecos: f[4] ?? '', home: f[5] ?? '', shell: f[6] ?? '' });
  }
  return out;
}

/** Lines `group_name:password:GID:user_list`. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const gid = parseId(f[2]);
    if (gid === undefined) continue;
    const list = f[3] ?? '';
    out.push({ name: f[0] ?? '', password: f[1] ?? '', gid, members: list === '' ? [] : list.split(',').map((m) => m.trim()) });
  }
  return out;
}

function parseId(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s.trim())) return undefined;
  return Number(s.trim());
}

/** A numeric user/group argument, or undefined for a name. Signs are numeric (and then out of range). */
function numericArg(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function checkRange(id: number): number {
  if (!Number.isSafeInteger(id) || id < 0 || id > MAX_ID) throw new UsageError(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

/** The container's passwd and group files as text; an absent file is undefined. */
export interface UserFiles {
  passwd?: string | undefined;
  group?: string | undefined;
}

/**
 * Resolve a `--user` value (`name`, `uid`, `name:group`, `uid:gid`, or '' for the default root)
 * against the container's files. Numeric ids need no entry; names must exist:
 * `unable to find user foo: no matching entries in passwd file`.
 */
export function resolveUser(userSpec: string, files: UserFiles): ExecUser {
  const [userArg = '', groupArg = ''] = userSpec.split(':');
  const uidArg = numericArg(userArg);
  const gidArg = numericArg(groupArg);
  const user: ExecUser = { uid: 0, gid: 0, sgids: [], home: '' };

  const users = parsePasswd(files.passwd ?? '');
  const match = users.find((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  if (match) {
    user.uid = match.uid;
    user.gid = match.gid;
    user.home = match.home;
    user.name = match.name;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw new NotFoundError(`unable to find user ${userArg}: no matching entries in passwd file`, 'TSC_ERR_NO_SUCH_USER');
    }
    user.uid = checkRange(uidArg);
  }

  if (groupArg !== '') {
    const groups = parseGroup(files.group ?? '');
    const g = groups.find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
    if (g) user.gid = g.gid;
    else if (gidArg === undefined) {
      throw new NotFoundError(`unable to find group ${groupArg}: no matching entries in group file`, 'TSC_ERR_NO_SUCH_GROUP');
    } else user.gid = checkRange(gidArg);
  } else if (user.name !== undefined) {
    // Implicit group: the primary gid stays the passwd one; the groups listing the user are supplementary.
    const name = user.name;
    user.sgids = parseGroup(files.group ?? '')
      .filter((g) => g.members.includes(name))
      .map((g) => g.gid);
  }
  return user;
}

/**
 * `--group-add` values (names or gids) to gids, in order, without repeats. A name must exist in
 * the group file; a number need not.
 */
export function resolveAdditionalGroups(groupAdd: string[], groupFile: string | undefined): number[] {
  const groups = parseGroup(groupFile ?? '');
  const out: number[] = [];
  for (const ag of groupAdd) {
    const g = groups.find((e) => e.name === ag || String(e.gid) === ag);
    let gid: number;
    if (g) gid = g.gid;
    else {
      const n = numericArg(ag);
      if (n === undefined) throw new NotFoundError(`unable to find group ${ag}: no matching entries in group file`, 'TSC_ERR_NO_SUCH_GROUP');
      gid = checkRange(n);
    }
    if (!out.includes(gid)) out.push(gid);
  }
  return out;
}

/** Links followed while resolving one path, as the kernel's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;
/** Larger passwd/group files are refused: they come from an untrusted image. */
export const MAX_ETC_FILE = 32 * 1024 * 1024;

/**
 * Resolve `path` inside `root` component by component, the way the container would see it:
 * absolute symlinks restart at `root`, `..` never climbs above it. Returns the host path, or
 * undefined when some component does not exist. Nothing outside `root` is ever looked at.
 */
export function resolveInRoot(root: string, path: string): string | undefined {
  const rootDir = root.replace(/\/+$/, '') || '/';
  const join = (parts: string[]) => (rootDir === '/' ? '' : rootDir) + '/' + parts.join('/');
  const done: string[] = [];
  let todo = path.split('/').filter((p) => p !== '' && p !== '.');
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = join([...done, part]);
    let st;
    try {
      st = lstatSync(candidate);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new TscCtrError(`resolving ${path} in ${root}: too many levels of symbolic links`, { code: 'TSC_ERR_ELOOP' });
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...todo];
      continue;
    }
    if (todo.length > 0 && !st.isDirectory()) return undefined;
    done.push(part);
  }
  return join(done);
}

/**
 * Read a regular file at `path` as seen inside `root` (see {@link resolveInRoot}); undefined when
 * it does not exist or is not a regular file (a FIFO or device planted by an image would block or
 * never end).
 */
export function readFileInRoot(root: string, path: string, maxBytes = MAX_ETC_FILE): string | undefined {
  const host = resolveInRoot(root, path);
  if (host === undefined) return undefined;
  let fd: number;
  try {
    // O_NOFOLLOW: the last component was checked above; refuse if it became a link since.
    fd = openSync(host, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (st.size > maxBytes) throw new TscCtrError(`${path} in the container is larger than ${maxBytes} bytes`, { code: 'TSC_ERR_TOO_LARGE' });
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The container's /etc/passwd and /etc/group, read safely from its mounted rootfs. */
export function readContainerUserFiles(rootfs: string): UserFiles {
  return { passwd: readFileInRoot(rootfs, '/etc/passwd'), group: readFileInRoot(rootfs, '/etc/group') };
}
