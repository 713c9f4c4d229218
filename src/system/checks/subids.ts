import type { IdRange } from '../../rootless/idmap.js';
import {
  type SubIdEntry,
  type SubIdKind,
  entriesFor,
  rangeArg,
  rangeContains,
  readSubIdFile,
  subIdFilePath,
  suggestFreeRange,
  totalIds,
} from '../../rootless/subid.js';
import { type CheckContext, type CheckResult, result, skippedRootful } from './types.js';

/** Images use ids 0…65534 (65534 = nobody): the namespace needs 65536 ids to hold them all. */
export const RECOMMENDED_IDS = 65536;

export interface SubIdFacts {
  kind: SubIdKind;
  file: string;
  exists: boolean;
  /** This user's entries (by name and by uid). */
  mine: SubIdEntry[];
  /** Everybody's ranges: what a new range must not overlap. */
  all: IdRange[];
  /** Lines that could not be parsed. */
  malformed: { line: number; reason: string }[];
  readError?: string;
}

export function readSubIdFacts(ctx: Pick<CheckContext, 'env' | 'userName' | 'uid'>, kind: SubIdKind): SubIdFacts {
  const file = subIdFilePath(kind, ctx.env);
  try {
    const f = readSubIdFile(file);
    return {
      kind,
      file,
      exists: f.exists,
      mine: entriesFor(f.entries, { name: ctx.userName, uid: ctx.uid }),
      all: f.entries.map((e) => ({ start: e.start, count: e.count })),
      malformed: f.errors.map((e) => ({ line: e.line, reason: e.reason })),
    };
  } catch (err) {
    return { kind, file, exists: true, mine: [], all: [], malformed: [], readError: (err as Error).message };
  }
}

function fmtRanges(entries: SubIdEntry[]): string {
  return entries.map((e) => `${e.start}:${e.count}`).join(', ');
}

/**
 * The usermod command that gives `user` a free range: one range for every kind that lacks it,
 * free in both files so the same numbers serve uids and gids.
 */
export function addRangeFix(user: string, kinds: SubIdKind[], taken: IdRange[], avoid: number[], count = RECOMMENDED_IDS): string {
  const r = rangeArg(suggestFreeRange(taken, { count, avoid }));
  const flags = kinds.map((k) => `--add-sub${k}s ${r}`).join(' ');
  return `sudo usermod ${flags} ${user}`;
}

/**
 * One subid file judged for this user. `other` is the other file's facts: the fix names both
 * kinds when both lack a range, and the suggested range is free in both.
 */
export function judgeSubIds(ctx: Pick<CheckContext, 'userName' | 'uid' | 'gid'>, facts: SubIdFacts, other: SubIdFacts): CheckResult {
  const name = `sub${facts.kind}`;
  const who = `user "${ctx.userName}" (uid ${ctx.uid})`;
  const taken = [...facts.all, ...other.all];
  const avoid = [ctx.uid, ctx.gid];
  if (facts.readError) return result(name, 'problem', `cannot read ${facts.file}: ${facts.readError}`, `sudo chmod 0644 ${facts.file}`);
  if (facts.mine.length === 0) {
    const kinds: SubIdKind[] = other.mine.length === 0 ? ['uid', 'gid'] : [facts.kind];
    const where = facts.exists ? ` in ${facts.file}` : `: ${facts.file} does not exist`;
    const malformedNote = facts.malformed.length ? ` (${facts.malformed.length} malformed line(s) ignored: line ${facts.malformed.map((m) => m.line).join(', ')})` : '';
    return result(name, 'problem', `no range for ${who}${where}${malformedNote}`, addRangeFix(ctx.userName, kinds, taken, avoid));
  }
  const total = totalIds(facts.mine);
  const own = facts.kind === 'uid' ? ctx.uid : ctx.gid;
  const ranges = `${fmtRanges(facts.mine)} for ${who} in ${facts.file}`;
  const clash = facts.mine.find((e) => rangeContains(e, own));
  if (clash) {
    // Podman refuses this; newuidmap would map the same host id twice.
    const replacement = rangeArg(suggestFreeRange(taken, { count: clash.count, avoid }));
    return result(
      name,
      'warning',
      `${ranges}: range ${clash.start}:${clash.count} contains your own ${facts.kind} ${own}, which is already mapped to root in the namespace`,
      `sudo usermod --del-sub${facts.kind}s ${rangeArg(clash)} --add-sub${facts.kind}s ${replacement} ${ctx.userName}`,
    );
  }
  if (total < RECOMMENDED_IDS) {
    return result(
      name,
      'warning',
      `${ranges}: only ${total} ids; images with ids up to 65534 (nobody) need ${RECOMMENDED_IDS}`,
      addRangeFix(ctx.userName, [facts.kind], taken, avoid, RECOMMENDED_IDS - total),
    );
  }
  const malformed = facts.malformed.length ? `; ${facts.malformed.length} malformed line(s) ignored` : '';
  return result(name, 'ok', `${ranges} (${total} ids)${malformed}`);
}

export function checkSubIds(ctx: CheckContext): CheckResult[] {
  if (!ctx.rootless) return [skippedRootful('subuid'), skippedRootful('subgid')];
  const u = readSubIdFacts(ctx, 'uid');
  const g = readSubIdFacts(ctx, 'gid');
  return [judgeSubIds(ctx, u, g), judgeSubIds(ctx, g, u)];
}
