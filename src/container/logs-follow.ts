import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerContext } from './context.js';
import { type LogLine, filterLines, parseK8sLog, parseTimeFilter } from './logs.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import type { ContainerRecord } from './types.js';

export interface ShowLogsOptions {
  follow?: boolean | undefined;
  timestamps?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
  tail?: number | undefined;
  names?: boolean | undefined;
}

function readFrom(path: string, offset: number): { text: string; end: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', end: offset };
  }
  try {
    const size = statSync(path).size;
    if (size <= offset) return { text: '', end: size < offset ? 0 : offset };
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    // only complete lines; the rest is read next time
    const last = buf.lastIndexOf(0x0a);
    if (last < 0) return { text: '', end: offset };
    return { text: buf.subarray(0, last + 1).toString('utf8'), end: offset + last + 1 };
  } finally {
    closeSync(fd);
  }
}

/** `logs`: print (and with -f keep printing until the container exits) its log lines. */
export async function showLogs(ctx: ContainerContext, recs: ContainerRecord[], o: ShowLogsOptions): Promise<void> {
  const since = o.since ? parseTimeFilter(o.since) : undefined;
  const until = o.until ? parseTimeFilter(o.until) : undefined;
  const print = (rec: ContainerRecord, lines: LogLine[]) => {
    for (const l of lines) {
      const prefix = `${o.names || recs.length > 1 ? `${rec.name} ` : ''}${o.timestamps ? `${l.time} ` : ''}`;
      (l.stream === 'stderr' ? process.stderr : process.stdout).write(prefix + l.text);
    }
  };
  const offsets = new Map<string, number>();
  for (const rec of recs) {
    const { text, end } = readFrom(containerFiles(ctx, rec.id).log, 0);
    offsets.set(rec.id, end);
    print(rec, filterLines(parseK8sLog(text), { since, until, tail: o.tail }));
  }
  if (!o.follow) return;
  let live = recs;
  while (live.length) {
    await sleep(100);
    const next: ContainerRecord[] = [];
    for (const rec of live) {
      const { text, end } = readFrom(containerFiles(ctx, rec.id).log, offsets.get(rec.id) ?? 0);
      offsets.set(rec.id, end);
      if (text) print(rec, filterLines(parseK8sLog(text), { since, until }));
      const now = ctx.containers.read(rec.id);
      if (now && currentState(ctx.containers, now).status === 'running') next.push(rec);
      else if (now) {
        const last = readFrom(containerFiles(ctx, rec.id).log, offsets.get(rec.id) ?? 0);
        if (last.text) print(rec, filterLines(parseK8sLog(last.text), { since, until }));
      }
    }
    live = next;
  }
}
