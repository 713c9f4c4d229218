// sd_notify for containers run by systemd units (Type=notify): who tells systemd the service is
// ready, and which pid is its main process (conmon's, the one that lives as long as the container).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ContainerConfig } from '../runtime/spec/index.js';
import type { ContainerRecord } from './types.js';

export type SdNotifyMode = 'conmon' | 'container' | 'ignore';

/** Where the container finds the proxy socket conmon binds (`<bundle>/notify/notify.sock`). */
export const CONTAINER_NOTIFY_DIR = '/run/notify';
export const CONTAINER_NOTIFY_SOCKET = `${CONTAINER_NOTIFY_DIR}/notify.sock`;

export function parseSdNotifyMode(text: string | undefined): SdNotifyMode {
  if (text === undefined || text === '') return 'container';
  if (text === 'conmon' || text === 'container' || text === 'ignore') return text;
  if (text === 'healthy') throw new UsageError('--sdnotify=healthy needs healthchecks, which tsc-ctr does not have');
  throw new UsageError(`invalid argument "${text}" for "--sdnotify": must be one of container, conmon, ignore`);
}

let taken: { socket: string | undefined } | undefined;

/**
 * NOTIFY_SOCKET, taken out of this process's environment the first time: no child may inherit
 * it (runc would proxy it itself, and its probe container would wait for READY=1 forever).
 */
export function takeNotifySocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!taken) {
    taken = { socket: env.NOTIFY_SOCKET || undefined };
    delete env.NOTIFY_SOCKET;
  }
  return taken.socket;
}

/** What one start does about NOTIFY_SOCKET. */
export interface NotifyPlan {
  mode: SdNotifyMode;
  /** The host socket systemd listens on; undefined when there is nothing to notify. */
  hostSocket?: string;
  /** container mode: the bundle directory conmon binds its proxy socket in. */
  proxyDir?: string;
}

/**
 * Decide at start, and take NOTIFY_SOCKET out of the environment handed to conmon and the
 * runtime: runc would otherwise proxy it itself, and no mode wants that.
 */
export function planNotify(rec: ContainerRecord, bundleDir: string, env: Record<string, string | undefined>): NotifyPlan {
  const mode = rec.sdNotifyMode ?? 'container';
  const hostSocket = takeNotifySocket();
  delete env.NOTIFY_SOCKET;
  if (!hostSocket || mode === 'ignore') return { mode };
  if (mode === 'conmon') return { mode, hostSocket };
  const proxyDir = join(bundleDir, 'notify');
  mkdirSync(proxyDir, { recursive: true, mode: 0o755 });
  return { mode, hostSocket, proxyDir };
}

/** The record as the spec generator should see it: container mode adds the socket mount and variable. */
export function withNotifyConfig(rec: ContainerRecord, plan: NotifyPlan): ContainerRecord {
  if (!plan.proxyDir) return rec;
  const config = rec.createOptions as unknown as ContainerConfig;
  const mounts = [...(config.mounts ?? []), { type: 'bind' as const, destination: CONTAINER_NOTIFY_DIR, source: plan.proxyDir, options: ['rw'] }];
  const env = [...(config.env ?? []).filter((e) => !e.startsWith('NOTIFY_SOCKET=')), `NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`];
  return { ...rec, createOptions: { ...config, mounts, env } as unknown as Record<string, unknown> };
}

/** The message sent once the container runs: READY only when conmon is the one vouching for it. */
export function startedMessage(mode: SdNotifyMode, conmonPid: number): string | undefined {
  if (mode === 'conmon') return `MAINPID=${conmonPid}\nREADY=1`;
  if (mode === 'container') return `MAINPID=${conmonPid}`;
  return undefined;
}

/** After `runtime start`: tell systemd the main pid (and readiness in conmon mode). */
export async function notifyStarted(plan: NotifyPlan, conmonPid: number): Promise<void> {
  if (!plan.hostSocket) return;
  const msg = startedMessage(plan.mode, conmonPid);
  if (!msg) return;
  const { sendUnixDatagram } = await import('../native/sendto.js');
  const { log } = await import('../ui/log.js');
  log.debug(`sd_notify to ${plan.hostSocket}: ${msg.replace(/\n/g, ' ')}`);
  sendUnixDatagram(plan.hostSocket, msg);
}
