import { spawn, spawnSync } from 'node:child_process';
import { constants, accessSync, realpathSync, statSync } from 'node:fs';
import { findProgram } from '../binaries.js';
import { mountOf, readMountInfo } from '../host.js';
import { installCommand } from './hints.js';
import { type CheckContext, type CheckResult, result, skippedRootful } from './types.js';
import { type IdMapping, mapArgs, parseIdMapFile } from '../../rootless/idmap.js';

/** Linux capability numbers (linux/capability.h). */
export const CAP_SETGID = 6;
export const CAP_SETUID = 7;

export interface FileCaps {
  /** VFS_CAP_REVISION_1/2/3. */
  revision: number;
  /** The effective flag: capabilities are raised at exec without the program asking. */
  effective: boolean;
  permitted: bigint;
  inheritable: bigint;
}

/**
 * Decode the `security.capability` xattr (struct vfs_cap_data, little-endian): magic_etc with the
 * revision in the top byte and the effective flag in bit 0, then {permitted, inheritable} pairs
 * of 32-bit words (one pair for revision 1, two for 2 and 3; 3 adds the namespace root uid).
 */
export function decodeFileCaps(buf: Buffer): FileCaps | undefined {
  if (buf.length < 4) return undefined;
  const magic = buf.readUInt32LE(0);
  const revision = magic >>> 24;
  const words = revision === 1 ? 1 : revision === 2 || revision === 3 ? 2 : 0;
  if (words === 0 || buf.length < 4 + words * 8) return undefined;
  let permitted = 0n;
  let inheritable = 0n;
  for (let i = 0; i < words; i++) {
    permitted |= BigInt(buf.readUInt32LE(4 + i * 8)) << BigInt(32 * i);
    inheritable |= BigInt(buf.readUInt32LE(8 + i * 8)) << BigInt(32 * i);
  }
  return { revision, effective: (magic & 1) === 1, permitted, inheritable };
}

export function hasCap(caps: FileCaps, cap: number): boolean {
  return (caps.permitted & (1n << BigInt(cap))) !== 0n;
}

/** How a newuidmap/newgidmap binary gets its privilege, or why it has none. */
export function describePrivilege(
  st: { mode: number; uid: number },
  caps: FileCaps | undefined,
  cap: number,
): { ok: boolean; how: string } {
  if ((st.mode & 0o4000) !== 0 && st.uid === 0) return { ok: true, how: 'setuid root' };
  if (caps && hasCap(caps, cap)) {
    const name = cap === CAP_SETUID ? 'cap_setuid' : 'cap_setgid';
    return { ok: true, how: `file capability ${name}${caps.effective ? '=ep' : '=p'}` };
  }
  if ((st.mode & 0o4000) !== 0) return { ok: false, how: `setuid but owned by uid ${st.uid}, not root` };
  return { ok: false, how: 'neither setuid root nor has file capabilities' };
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

async function readCaps(path: string): Promise<FileCaps | undefined> {
  try {
    const { lgetxattr } = await import('../../native/xattr.js');
    const raw = lgetxattr(path, 'security.capability');
    return raw ? decodeFileCaps(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** newuidmap / newgidmap: on PATH, executable, privileged, and on a mount that honours setuid. */
export async function checkIdMapTool(ctx: CheckContext, tool: 'newuidmap' | 'newgidmap'): Promise<CheckResult> {
  if (!ctx.rootless) return skippedRootful(tool);
  const path = findProgram(tool, ctx.pathEnv);
  if (!path) {
    return result(tool, 'problem', `${tool} not found on PATH (${ctx.pathEnv ?? ''}): needed to map your subordinate ids`, installCommand('uidmap'));
  }
  let st;
  try {
    st = statSync(path);
    accessSync(path, constants.X_OK);
  } catch (err) {
    return result(tool, 'problem', `${path} cannot be executed: ${(err as Error).message}`, `sudo chmod 0755 ${path}`);
  }
  const cap = tool === 'newuidmap' ? CAP_SETUID : CAP_SETGID;
  const setuidRoot = (st.mode & 0o4000) !== 0 && st.uid === 0;
  const priv = describePrivilege(st, setuidRoot ? undefined : await readCaps(path), cap);
  if (!priv.ok) {
    return result(
      tool,
      'problem',
      `${path} is ${priv.how}: it cannot write another process's id map`,
      `sudo chown root:root ${path} && sudo chmod u+s ${path}`,
    );
  }
  // nosuid makes the kernel ignore both the setuid bit and file capabilities.
  const m = mountOf(realpathOr(path), readMountInfo());
  if (m && m.options.split(',').includes('nosuid')) {
    return result(tool, 'problem', `${path} is ${priv.how} but ${m.mountPoint} is mounted nosuid, which makes the kernel ignore that`, `sudo mount -o remount,suid ${m.mountPoint}`);
  }
  return result(tool, 'ok', `${path} (${priv.how})`);
}

/**
 * Actually map the ranges, as the pause process will: a process in a new user namespace gets
 * its maps from newuidmap/newgidmap. Catches what reading files cannot (a range newuidmap
 * refuses, overlapping ranges, a kernel that says no).
 */
export async function tryIdMapping(
  ctx: CheckContext,
  uidMaps: IdMapping[],
  gidMaps: IdMapping[],
): Promise<{ ok: true } | { ok: false; error: string }> {
  const unshare = findProgram('unshare', ctx.pathEnv);
  const newuidmap = findProgram('newuidmap', ctx.pathEnv);
  const newgidmap = findProgram('newgidmap', ctx.pathEnv);
  if (!unshare || !newuidmap || !newgidmap) return { ok: false, error: 'unshare, newuidmap or newgidmap missing' };
  const child = spawn(unshare, ['--user', '--', '/bin/sh', '-c', 'echo ready; read go; cat /proc/self/uid_map /proc/self/gid_map'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve(true);
    });
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  if (!ready || child.pid === undefined) {
    await closed;
    return { ok: false, error: `unshare --user failed: ${err.trim() || 'it exited early'}` };
  }
  const failures: string[] = [];
  for (const [tool, maps] of [
    [newuidmap, uidMaps],
    [newgidmap, gidMaps],
  ] as const) {
    const r = spawnSync(tool, [String(child.pid), ...mapArgs(maps)], { encoding: 'utf8', timeout: 10000 });
    if (r.error || r.status !== 0) {
      failures.push(`${tool} ${child.pid} ${mapArgs(maps).join(' ')}: ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status}`}`);
    }
  }
  child.stdin.end('go\n');
  await closed;
  if (failures.length) return { ok: false, error: failures.join('; ') };
  const lines = out.slice(out.indexOf('ready\n') + 6);
  const got = parseIdMapFile(lines);
  if (got.length < uidMaps.length + gidMaps.length) return { ok: false, error: `the namespace got maps ${JSON.stringify(lines.trim())}` };
  return { ok: true };
}
