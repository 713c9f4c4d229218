/**
 * Cleaning up after tests without touching anyone else's processes: only processes that carry
 * one of our markers in their environment, mention one of our directories on their command
 * line, or live in the user namespace of a pause process of one of our stores, and their
 * descendants (containers under conmon). Several test runs may share the test user.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Environment variable every process started through the harness carries: the run id. */
export const RUN_MARKER = 'TSC_CTR_TEST_RUN';
/** Environment variable processes started against one private store carry: its directory. */
export const STORE_MARKER = 'TSC_CTR_TEST_STORE';

interface Proc {
  pid: number;
  ppid: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function procs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    if (!stat) continue;
    // comm may hold spaces and parentheses: the fields after it start at the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({ pid: Number(name), ppid: Number(rest[1]) });
  }
  return out;
}

function userns(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

/** pause.pid files under `dir` (a store is <dir>/run/pause.pid; look a few levels deep). */
function pausePidFiles(dir: string, depth = 4): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'pause.pid') out.push(join(dir, e.name));
    else if (e.isDirectory() && !['overlay', 'blobs', 'layers', 'containers', 'images'].includes(e.name)) out.push(...pausePidFiles(join(dir, e.name), depth - 1));
  }
  return out;
}

/** The processes that belong to us, by the rules above. */
export function findOurProcesses(match: { env?: string[]; dirs?: string[] }): number[] {
  const all = procs();
  const self = process.pid;
  const ancestors = new Set<number>();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  for (let p = byPid.get(self); p && !ancestors.has(p.pid); p = byPid.get(p.ppid)) ancestors.add(p.pid);

  const hostNs = userns('self');
  const namespaces = new Set<string>();
  for (const dir of match.dirs ?? []) {
    for (const f of pausePidFiles(dir)) {
      const pid = Number(readText(f)?.trim());
      // only a live pause process (a recycled pid is someone else's), and never our own namespace
      if (!pid || !(readText(`/proc/${pid}/environ`) ?? '').split('\0').includes('_TSC_CTR_PAUSE=1')) continue;
      const ns = userns(pid);
      if (ns && ns !== hostNs) namespaces.add(ns);
    }
  }
  const envNeedles = match.env ?? [];
  const dirs = (match.dirs ?? []).filter((d) => d.length > 4);
  const ours = new Set<number>();
  for (const p of all) {
    if (ancestors.has(p.pid)) continue;
    const ns = namespaces.size ? userns(p.pid) : undefined;
    if (ns && namespaces.has(ns)) {
      ours.add(p.pid);
      continue;
    }
    if (envNeedles.length) {
      const env = (readText(`/proc/${p.pid}/environ`) ?? '').split('\0');
      if (envNeedles.some((n) => env.includes(n))) {
        ours.add(p.pid);
        continue;
      }
    }
    if (dirs.length) {
      const cmd = readText(`/proc/${p.pid}/cmdline`) ?? '';
      if (dirs.some((d) => cmd.includes(d))) ours.add(p.pid);
    }
  }
  // and everything below them (conmon's children: the runtime and the container)
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!ours.has(p.pid) && ours.has(p.ppid) && !ancestors.has(p.pid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return [...ours];
}

/** Running (not gone, not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`);
  return !!stat && stat[stat.lastIndexOf(')') + 2] !== 'Z';
}

/** SIGKILL our processes and wait (up to 5 s) until they are gone. Returns how many there were. */
export async function killOurProcesses(match: { env?: string[]; dirs?: string[] }): Promise<number> {
  let total = 0;
  for (let round = 0; round < 3; round++) {
    const pids = findOurProcesses(match);
    if (!pids.length) break;
    total += pids.length;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone, or not ours to signal (not root): nothing to do */
      }
    }
    const deadline = Date.now() + 5000;
    while (pids.some(alive) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return total;
}

/** Mount points at or under `dir` in our mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: string[] = [];
  for (const line of (readText('/proc/self/mountinfo') ?? '').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = unescape(mp);
    if (p === dir || p.startsWith(`${dir}/`)) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

/**
 * Remove a test directory: kill what runs from it, lazily unmount what is mounted in it (rootful
 * overlays), then delete it. Rootless mounts live in the pause process's mount namespace and
 * go away with it.
 */
export async function removeTestDir(dir: string, env: string[] = []): Promise<void> {
  await killOurProcesses({ env, dirs: [dir] });
  for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m]);
  for (let i = 0; i < 3; i++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      return;
    } catch (err) {
      // Not root: layers hold files owned by our subordinate ids, which only a user namespace
      // with those ids mapped may delete (what `podman unshare rm -rf` does).
      if (process.getuid?.() !== 0) spawnSync('unshare', ['--user', '--map-auto', '--map-root-user', 'rm', '-rf', '--one-file-system', dir]);
      if (!existsSync(dir)) return;
      if (i === 2) console.warn(`test harness: cannot remove ${dir}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
