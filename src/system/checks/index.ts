import { type PathOverrides, hostUid, isRootless, resolvePaths } from '../../config/paths.js';
import { hostGid } from '../../rootless/userns.js';
import { userNameOf } from '../host.js';
import { checkFuse, checkTun } from './devices.js';
import { checkCgroups, checkRuntimeDir } from './environment.js';
import { checkOverlay, checkStorageRoot, chooseStorageDriver } from './overlay.js';
import { checkCatatonit, checkConmon, checkNetworkHelpers, checkUtilLinux, helperFacts } from './programs.js';
import { checkRuntimes } from './runtime.js';
import { checkImageIds } from './image-ids.js';
import { checkSubIds, readSubIdFacts } from './subids.js';
import { type CheckContext, type CheckResult, result } from './types.js';
import { checkIdMapTool } from './uidmap.js';
import { checkIdMapping, checkUserns } from './userns.js';

export type { CheckContext, CheckResult, CheckStatus } from './types.js';

export interface CheckOptions extends PathOverrides {
  runtime?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Trust cached probe results (default: probe again, as `system check` does). */
  useCache?: boolean;
}

export function checkContext(opts: CheckOptions = {}): CheckContext {
  const env = opts.env ?? process.env;
  const uid = hostUid(env);
  return {
    rootless: isRootless(env),
    uid,
    gid: hostGid(env),
    userName: userNameOf(uid, env),
    paths: resolvePaths({ root: opts.root, runroot: opts.runroot }, env),
    env,
    pathEnv: env.PATH,
    runtime: opts.runtime,
    force: !opts.useCache,
  };
}

function modeLine(ctx: CheckContext): CheckResult {
  if (ctx.rootless) return result('mode', 'ok', `rootless: user "${ctx.userName}" (uid ${ctx.uid}, gid ${ctx.gid})`);
  return result('mode', 'ok', 'rootful (running as root): rootless-only checks are skipped');
}

/**
 * Every prerequisite of (rootless) containers, in a stable order. Independent probes run
 * concurrently; the ones that start processes (user namespace, overlay mount, runtimes) really
 * try the thing rather than guess from files.
 */
export async function runChecks(opts: CheckOptions = {}): Promise<CheckResult[]> {
  const ctx = checkContext(opts);
  const facts = helperFacts(ctx);
  const [newuidmap, newgidmap, userns, storage, runtimes] = await Promise.all([
    checkIdMapTool(ctx, 'newuidmap'),
    checkIdMapTool(ctx, 'newgidmap'),
    checkUserns(ctx),
    chooseStorageDriver({ paths: ctx.paths, rootless: ctx.rootless, force: ctx.force, pathEnv: ctx.pathEnv }),
    checkRuntimes(ctx),
  ]);
  const subids = checkSubIds(ctx);
  const early = [newuidmap, newgidmap, ...subids, userns];
  const idmap = await checkIdMapping(ctx, early);
  return [
    modeLine(ctx),
    newuidmap,
    newgidmap,
    ...subids,
    userns,
    idmap,
    ...(ctx.rootless ? [checkImageIds(ctx, readSubIdFacts(ctx, 'uid'), readSubIdFacts(ctx, 'gid'))] : []),
    checkUtilLinux(ctx),
    checkRuntimeDir(ctx),
    checkCgroups(ctx),
    checkStorageRoot(ctx, storage.probe),
    checkOverlay(ctx, storage),
    checkFuse(ctx, storage.driver === 'overlay'),
    checkTun(ctx),
    ...runtimes,
    checkConmon(ctx, facts),
    ...checkNetworkHelpers(ctx, facts),
    checkCatatonit(ctx, facts),
  ];
}

/** 0 when containers can work here (warnings allowed), 1 when any check is a problem. */
export function checksExitCode(results: CheckResult[]): number {
  return results.some((r) => r.Status === 'problem') ? 1 : 0;
}

const TAG: Record<CheckResult['Status'], string> = { ok: '[ ok ]', warning: '[WARN]', problem: '[FAIL]', skipped: '[skip]' };

/** Human output: one line per check, the fix under it, indented past the tag. */
export function renderChecks(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${TAG[r.Status]} ${r.Name}: ${r.Detail}`);
    if (r.Fix && r.Status !== 'ok' && r.Status !== 'skipped') lines.push(`       fix: ${r.Fix}`);
  }
  return lines.join('\n') + '\n';
}
