import { readFileSync, statSync } from 'node:fs';
import type { ContainerStore } from '../storage/containers.js';
import type { ContainerRecord, ContainerStateRecord } from './types.js';

/** Is the process alive and not a zombie? (no signal sent; /proc only) */
export function processAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** conmon's exit file: decimal code, no newline; its ctime is when the container finished. */
export function readExitFile(path: string): { code: number; at: Date } | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^-?\d+$/.test(text)) return undefined;
    return { code: Number(text), at: statSync(path).ctime };
  } catch {
    return undefined;
  }
}

/**
 * The container's current state from files alone (no runtime call): a recorded `running`
 * becomes `exited` once conmon wrote the exit file, or once conmon is gone without writing one
 * (it was killed: the state says so instead of hanging).
 */
export function currentState(store: ContainerStore, rec: ContainerRecord): ContainerStateRecord {
  const s = { ...rec.state };
  if (s.status !== 'running' && s.status !== 'stopping') return s;
  const exit = readExitFile(store.exitFile(rec.id));
  if (exit) {
    return { ...s, status: 'exited', exitCode: exit.code, finishedAt: exit.at.toISOString() };
  }
  if (!processAlive(s.conmonPid)) {
    return {
      ...s,
      status: 'exited',
      exitCode: s.exitCode ?? -1,
      finishedAt: s.finishedAt ?? new Date().toISOString(),
      error: s.error ?? 'conmon exited without recording the container exit code (was it killed?)',
    };
  }
  return s;
}
