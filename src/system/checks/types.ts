import type { StorePaths } from '../../config/paths.js';

/**
 * One prerequisite of rootless containers and how it stands. `problem`: containers cannot work
 * until it is fixed; `warning`: they work, degraded (slower storage, no resource limits…);
 * `skipped`: does not apply here (rootful mode).
 */
export type CheckStatus = 'ok' | 'warning' | 'problem' | 'skipped';

/** `system check --format json` element: Podman-style capitalised keys for Go templates. */
export interface CheckResult {
  Name: string;
  Status: CheckStatus;
  /** One line: what was found. */
  Detail: string;
  /** One line a user can paste to fix it; '' when there is nothing to do. */
  Fix: string;
}

/** What every check needs to know about who runs and where, resolved once. */
export interface CheckContext {
  rootless: boolean;
  uid: number;
  gid: number;
  userName: string;
  paths: StorePaths;
  env: NodeJS.ProcessEnv;
  /** $PATH the helpers are looked up on. */
  pathEnv: string | undefined;
  /** --runtime, when given. */
  runtime?: string | undefined;
  /** Re-probe instead of trusting cached results. */
  force: boolean;
}

export function result(Name: string, Status: CheckStatus, Detail: string, Fix = ''): CheckResult {
  return { Name, Status, Detail, Fix };
}

export function skippedRootful(Name: string): CheckResult {
  return result(Name, 'skipped', 'skipped (rootful): only rootless mode needs it');
}
