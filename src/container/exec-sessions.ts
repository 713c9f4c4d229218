/**
 * Exec sessions on disk: each lives in `userdata/<first 12 of its id>/` with a `session.json`
 * naming the session and its process, so `inspect` can list the ones still running (ExecIDs).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExecSessionRecord {
  id: string;
  pid: number;
  command: string[];
}

export function writeExecSession(dir: string, s: ExecSessionRecord): void {
  writeFileSync(join(dir, 'session.json'), JSON.stringify(s));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ids of the exec sessions of a container whose process still runs. */
export function liveExecSessions(userdata: string): string[] {
  let names: string[];
  try {
    names = readdirSync(userdata);
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const n of names) {
    if (!/^[0-9a-f]{12}$/.test(n)) continue;
    try {
      const s = JSON.parse(readFileSync(join(userdata, n, 'session.json'), 'utf8')) as ExecSessionRecord;
      if (s.pid > 0 && alive(s.pid)) ids.push(s.id);
    } catch {
      /* a session that never started, or one being removed */
    }
  }
  return ids;
}
