import { readFileSync } from 'node:fs';
import type { IdRange } from './idmap.js';

export interface SubIdEntry {
  /** User name or numeric uid, as written in the file. */
  owner: string;
  start: number;
  count: number;
  line: number;
}

/** Parse /etc/subuid or /etc/subgid text: `name:start:count` lines, `#` comments. */
export function parseSubIdFile(text: string): { entries: SubIdEntry[]; malformed: number[] } {
  const entries: SubIdEntry[] = [];
  const malformed: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const m = /^([^:\s]+):(\d+):(\d+)$/.exec(l);
    if (!m) {
      malformed.push(i + 1);
      return;
    }
    entries.push({ owner: m[1]!, start: Number(m[2]), count: Number(m[3]), line: i + 1 });
  });
  return { entries, malformed };
}

/** The ranges of one user, matched by name or by numeric uid (both forms are valid). */
export function rangesFor(entries: SubIdEntry[], who: { name: string; uid: number }): IdRange[] {
  return entries.filter((e) => e.owner === who.name || e.owner === String(who.uid)).map((e) => ({ start: e.start, count: e.count }));
}

export function subIdFile(kind: 'uid' | 'gid', env: NodeJS.ProcessEnv = process.env): string {
  return (kind === 'uid' ? env.TSC_CTR_SUBUID_FILE : env.TSC_CTR_SUBGID_FILE) ?? `/etc/sub${kind}`;
}

/** This user's subordinate ranges from /etc/subuid or /etc/subgid (none if the file is missing). */
export function readSubIdRanges(kind: 'uid' | 'gid', who: { name: string; uid: number }, file = subIdFile(kind)): IdRange[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return rangesFor(parseSubIdFile(text).entries, who);
}
