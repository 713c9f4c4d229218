import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TscCtrError } from '../errors.js';
import { removeContainer } from './stop.js';
import { type ContainerContext, withStorageLock } from './context.js';
import { randomName } from './names.js';
import { validateContainerName } from './rename.js';
import { newContainerId } from '../storage/containers.js';
import { containerConfigFor, processArgsFor, resolveImageForContainer } from './adapters.js';
import { parseSignal } from './signals.js';
import type { ContainerRecord } from './types.js';
import { getNetwork } from '../net/networks.js';
import { checkRestartWithRm, parseRestartPolicy } from './restart-policy.js';
import { parseSdNotifyMode } from './sdnotify.js';

export interface CreateRequest {
  image: string;
  name?: string | undefined;
  command: string[];
  /** The command line as typed (program first), kept for `generate systemd --new`. */
  createCommand?: string[] | undefined;
  /** The parsed CLI options; kept in the record and turned into a spec at each start. */
  options: Record<string, unknown> & {
    rm?: boolean;
    tty?: boolean;
    interactive?: boolean;
    label?: string[];
    stopSignal?: string;
    stopTimeout?: number;
    cidfile?: string;
    replace?: boolean;
    pull?: string;
    restart?: string;
    sdnotify?: string;
  };
}

function labels(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list ?? []) {
    const i = l.indexOf('=');
    if (i < 0) out[l] = '';
    else out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

/** `create`: resolve (or pull) the image and record the container; nothing runs yet. */
export async function createContainer(ctx: ContainerContext, req: CreateRequest): Promise<ContainerRecord> {
  const o = req.options;
  if (req.name !== undefined) validateContainerName(req.name);
  if (o.cidfile && existsSync(o.cidfile)) throw new TscCtrError(`container id file exists. Ensure another container is not using it or delete ${o.cidfile}`);
  const restartPolicy = parseRestartPolicy(o.restart);
  checkRestartWithRm(restartPolicy, o.rm);
  const sdNotifyMode = parseSdNotifyMode(o.sdnotify);
  const config = containerConfigFor(o, req.command);
  if (config.net?.kind === 'bridge') getNetwork(ctx.paths, config.net.network!); // a missing network is an error now, not at start
  const image = await resolveImageForContainer(ctx, req.image, o);
  const command = processArgsFor(config, image.config);
  if (o.replace && req.name) {
    const old = ctx.containers.find(req.name);
    if (old && old.name === req.name) await removeContainer(ctx, old, { force: true, timeoutSec: 10 });
  }
  const imageLabels = image.config.config?.Labels ?? {};
  const stopSignal = parseSignal(o.stopSignal ?? image.config.config?.StopSignal ?? 'SIGTERM');
  const rec = await withStorageLock(ctx, () => {
    const taken = new Set(ctx.containers.list().map((c) => c.name));
    const r: ContainerRecord = {
      id: newContainerId(),
      name: req.name ?? randomName((n) => taken.has(n)),
      imageId: image.id,
      imageName: image.name,
      created: new Date().toISOString(),
      command,
      createOptions: config as unknown as Record<string, unknown>,
      layers: image.layers,
      runtime: ctx.runtime ?? '',
      labels: { ...imageLabels, ...labels(o.label) },
      autoRemove: !!o.rm,
      tty: !!o.tty,
      stdin: !!o.interactive,
      stopSignal,
      stopTimeout: o.stopTimeout ?? 10,
      ...(restartPolicy.name !== 'no' ? { restartPolicy } : {}),
      ...(sdNotifyMode !== 'container' ? { sdNotifyMode } : {}),
      ...(req.createCommand ? { createCommand: req.createCommand } : {}),
      ...(o.cidfile ? { cidFile: resolve(o.cidfile) } : {}),
      state: { status: 'created' },
    };
    ctx.containers.insert(r);
    return r;
  });
  if (o.cidfile) {
    try {
      writeFileSync(o.cidfile, rec.id, { flag: 'wx' });
    } catch (err) {
      throw new TscCtrError(`creating the cidfile ${o.cidfile}: ${(err as Error).message}`);
    }
  }
  return rec;
}
