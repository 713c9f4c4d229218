/** What `port` shows: the ports a running container's network published (runDir/network.json). */
import { UsageError } from '../errors.js';
import type { ContainerContext } from '../container/context.js';
import { currentState } from '../container/state.js';
import type { ContainerRecord } from '../container/types.js';
import { portLines } from './ports.js';
import { readNetworkState } from './setup.js';
import type { Protocol } from './types.js';

/** `80`, `80/tcp`, `53/udp`. */
export function parsePortFilter(v: string): { port: number; protocol: Protocol } {
  const m = /^(\d+)(?:\/(tcp|udp))?$/i.exec(v.trim());
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) throw new UsageError(`invalid port "${v}": use PORT[/tcp|udp]`);
  return { port, protocol: (m[2]?.toLowerCase() ?? 'tcp') as Protocol };
}

/** Lines for one container; with `withId`, each is prefixed by the short id and a tab (`port -a`). */
export function containerPortLines(ctx: ContainerContext, rec: ContainerRecord, filter: { port: number; protocol: Protocol } | undefined, withId: boolean): string[] {
  if (currentState(ctx.containers, rec).status !== 'running') return [];
  const state = readNetworkState(ctx, rec.id);
  const lines = portLines(state?.ports ?? [], filter);
  return withId ? lines.map((l) => `${rec.id.slice(0, 12)}\t${l}`) : lines;
}
