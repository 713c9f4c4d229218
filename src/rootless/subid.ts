import { readFileSync } from 'node:fs';
import type { IdRange } from './idmap.js';

/**
 * /etc/subuid and /etc/subgid (shadow's format, subuid(5)): lines `owner:start:count`, where the
 * owner is a user name or a numeric uid (in both files: subgid lines are keyed by the *user*),
 * `#` starts a comment, and a user may have several lines. newuidmap/newgidmap read the same
 * files, so what we compute here is what they will allow.
 */

export type SubIdKind = 'uid' | 'gid';

export interface SubIdEntry {
  owner: string;
  start: number;
  count: number;
  /** 1-based line number, for messages. */
  line: number;
}

export interface SubIdParseError {
  line: number;
  text: string;
  reason: string;
}

export interface SubIdFile {
  entries: SubIdEntry[];
  errors: SubIdParseError[];
}

/** Who the ranges are for: matched by name and by numeric uid, as shadow does. */
export interface SubIdOwner {
  name: string;
  uid: number;
}

/** The highest id the kernel accepts in a map (ids are u32; 4294967295 is reserved as "invalid"). */
const MAX_ID = 4294967295;

export function parseSubIdFile(text: string): SubIdFile {
  const entries: SubIdEntry[] = [];
  const errors: SubIdParseError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const t = raw.replace(/#.*$/, '').trim();
    if (t === '') continue;
    const parts = t.split(':');
    const bad = (reason: string) => errors.push({ line: i + 1, text: raw, reason });
    if (parts.length !== 3) {
      bad('expected owner:start:count');
      continue;
    }
    const [owner, s, c] = parts.map((p) => p.trim()) as [string, string, string];
    if (owner === '') {
      bad('empty owner');
      continue;
    }
    if (!/^\d+$/.test(s) || !/^\d+$/.test(c)) {
      bad('start and count must be non-negative integers');
      continue;
    }
    const start = Number(s);
    const count = Number(c);
    if (count === 0) {
      bad('count is 0');
      continue;
    }
    if (start + count - 1 >= MAX_ID) {
      bad(`range ends beyond the largest id ${MAX_ID - 1}`);
      continue;
    }
    entries.push({ owner, start, count, line: i + 1 });
  }
  return { entries, errors };
}

/** The entries that belong to `who`: by name or by uid, in file order, duplicates dropped. */
export function entriesFor(entries: SubIdEntry[], who: SubIdOwner): SubIdEntry[] {
  const uid = String(who.uid);
  const seen = new Set<string>();
  const out: SubIdEntry[] = [];
  for (const e of entries) {
    if (e.owner !== who.name && e.owner !== uid) continue;
    const k = `${e.start}:${e.count}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/** Default file, or the test override (TSC_CTR_SUBUID_FILE / TSC_CTR_SUBGID_FILE). */
export function subIdFilePath(kind: SubIdKind, env: NodeJS.ProcessEnv = process.env): string {
  const override = kind === 'uid' ? env.TSC_CTR_SUBUID_FILE : env.TSC_CTR_SUBGID_FILE;
  return override || `/etc/sub${kind}`;
}

/** Read and parse a subid file; a missing file is an empty one (common in CI containers). */
export function readSubIdFile(path: string): SubIdFile & { exists: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], errors: [], exists: false };
    throw err;
  }
  return { ...parseSubIdFile(text), exists: true };
}

/** Same as subIdFilePath (the name the first callers used). */
export const subIdFile = subIdFilePath;

/** The ranges of one user as plain id ranges (what the namespace mappings are built from). */
export function rangesFor(entries: SubIdEntry[], who: SubIdOwner): IdRange[] {
  return entriesFor(entries, who).map((e) => ({ start: e.start, count: e.count }));
}

/** This user's subordinate ranges from /etc/subuid or /etc/subgid (or the override); none if unreadable. */
export function readSubIdRanges(kind: SubIdKind, who: SubIdOwner, file: string = subIdFilePath(kind)): IdRange[] {
  let parsed: SubIdFile;
  try {
    parsed = readSubIdFile(file);
  } catch {
    return [];
  }
  return rangesFor(parsed.entries, who);
}

export function totalIds(ranges: IdRange[]): number {
  return ranges.reduce((n, r) => n + r.count, 0);
}

export function rangeContains(r: IdRange, id: number): boolean {
  return id >= r.start && id < r.start + r.count;
}

function overlaps(a: IdRange, b: IdRange): boolean {
  return a.start < b.start + b.count && b.start < a.start + a.count;
}

/**
 * The lowest range of `count` ids at or above `min` that overlaps none of `taken` (everybody's
 * ranges from both files, since `usermod --add-subuids X --add-subgids X` uses one range for
 * both) nor the ids in `avoid` (real uids/gids on the host). Same default as useradd's
 * SUB_UID_MIN/SUB_UID_COUNT in login.defs: 100000 and 65536.
 */
export function suggestFreeRange(taken: IdRange[], opts: { count?: number; min?: number; avoid?: number[] } = {}): IdRange {
  const count = opts.count ?? 65536;
  const blockers = [...taken, ...(opts.avoid ?? []).map((id) => ({ start: id, count: 1 }))]
    .filter((r) => r.count > 0)
    .sort((a, b) => a.start - b.start);
  let start = opts.min ?? 100000;
  // One pass is enough: blockers are sorted, and each move only goes up past a blocker.
  for (const b of blockers) {
    if (overlaps({ start, count }, b)) start = b.start + b.count;
  }
  return { start, count };
}

/** `100000-165535`: the FIRST-LAST form `usermod --add-subuids` takes. */
export function rangeArg(r: IdRange): string {
  return `${r.start}-${r.start + r.count - 1}`;
}
