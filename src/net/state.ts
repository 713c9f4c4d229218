/**
 * Where a started container's network state is recorded (runDir/network.json), and reading it.
 * Kept apart from setup.ts so `ps` and `inspect` can read it without loading the helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerContext } from '../container/context.js';
import type { NetworkState } from './types.js';

export function stateFile(ctx: ContainerContext, id: string): string {
  return join(ctx.containers.runDir(id), 'network.json');
}

/** The recorded state; undefined when the container has no network set up (not running). */
export function readNetworkState(ctx: ContainerContext, id: string): NetworkState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(ctx, id), 'utf8')) as NetworkState;
  } catch {
    return undefined;
  }
}
