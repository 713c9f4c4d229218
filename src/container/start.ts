import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TscCtrError } from '../errors.js';
import { nsExec, type NsExec } from '../rootless/ns-exec.js';
import { startConmon } from '../runtime/conmon.js';
import { type OciRuntime, runtimeGlobalArgs, runtimeStart } from '../runtime/oci-runtime.js';
import { acquireContainerRootfs, releaseContainerRootfs } from './rootfs.js';
import { findProgram } from '../system/binaries.js';
import { type ContainerContext, withStorageLock } from './context.js';
import { buildContainerSpec, selectRuntime } from './adapters.js';
import type { ContainerRecord } from './types.js';
import { Attachment } from './attach.js';
import { processAlive } from './state.js';
import { conmonLogLevel } from '../ui/log.js';
import { notifyStarted, planNotify, withNotifyConfig } from './sdnotify.js';

export interface StartOptions {
  /** Connect to the attach socket before the process starts, so no output is lost. */
  attach?: boolean;
  /** A restart by the restart policy: keeps RestartCount and a pending stop request. */
  restarting?: boolean;
}

export interface Started {
  record: ContainerRecord;
  ns: NsExec;
  runtime: OciRuntime;
  attachment?: Attachment | undefined;
}

/** Paths of one container's files. */
export function containerFiles(ctx: ContainerContext, id: string) {
  const dir = ctx.containers.containerDir(id);
  const userdata = ctx.containers.userdataDir(id);
  const run = ctx.containers.runDir(id);
  return {
    dir,
    userdata,
    run,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
    config: join(userdata, 'config.json'),
    log: join(userdata, 'ctr.log'),
    attach: join(userdata, 'attach'),
    ctl: join(userdata, 'ctl'),
    hosts: join(userdata, 'hosts'),
    resolv: join(userdata, 'resolv.conf'),
    hostname: join(userdata, 'hostname'),
    pidFile: join(run, 'pidfile'),
    conmonPid: join(run, 'conmon.pid'),
    exits: join(ctx.paths.runRoot, 'exits'),
  };
}

/**
 * The conmon of a previous run still runs its exit command (`container cleanup`) for a moment
 * after the exit file appears; that cleanup would unmount the rootfs we are about to mount.
 * Wait for it, unless we are that exit command (a restart policy starting the container again).
 */
async function previousConmonGone(rec: ContainerRecord): Promise<void> {
  const old = rec.state.conmonPid;
  if (!old || old === process.ppid) return;
  for (let i = 0; i < 600 && processAlive(old); i++) await sleep(50);
}

/**
 * Start a created (or exited) container: mount its rootfs, write the bundle, hand it to conmon
 * and the runtime. With `attach`, the attach socket is connected before `runtime start`.
 */
export async function startContainer(ctx: ContainerContext, rec: ContainerRecord, opts: StartOptions = {}): Promise<Started> {
  await previousConmonGone(rec);
  const f = containerFiles(ctx, rec.id);
  const ns = await nsExec(ctx.paths);
  const runtime = await selectRuntime(ctx, rec.runtime);
  const conmon = findProgram('conmon');
  if (!conmon) throw new TscCtrError('conmon not found on PATH: install the conmon package', { code: 'TSC_ERR_MISSING_PROGRAM' });
  for (const d of [f.run, f.exits, runtime.stateRoot]) mkdirSync(d, { recursive: true, mode: 0o700 });
  rmSync(ctx.containers.exitFile(rec.id), { force: true });

  const { setupNetwork, teardownNetwork, writeEtcFiles } = await import('../net/setup.js');
  const net = await setupNetwork(ctx, rec, ns); // first: a port in use fails before anything is mounted
  try {
    // Recorded before mounting: if this process dies from here on, rm/cleanup know to unmount.
    if (!rec.state.mounted) await withStorageLock(ctx, () => ctx.containers.update(rec.id, (r) => void (r.state.mounted = true)));
    // counted: a rootfs already mounted by `mount` or `cp` is shared, not mounted twice
    await acquireContainerRootfs(ctx, ns, rec, 'container');
  } catch (err) {
    await teardownNetwork(ctx, rec.id, ns);
    throw err;
  }

  const hostname = rec.createOptions.hostname ? String(rec.createOptions.hostname) : rec.id.slice(0, 12);
  writeFileSync(f.hostname, hostname);
  writeEtcFiles(ctx, rec, net, { hosts: f.hosts, resolv: f.resolv, hostname });
  const notify = planNotify(rec, f.userdata, ns.env);
  const spec = await buildContainerSpec(ctx, withNotifyConfig(rec, notify), { rootfs: f.merged, hostname, hostsPath: f.hosts, resolvPath: f.resolv, hostnamePath: f.hostname, pausePid: ns.pausePid, netnsPath: net.joinPath });
  writeFileSync(f.config, spec);

  const exitCommand = [...ctx.self, '--root', ctx.paths.storageRoot, '--runroot', ctx.paths.runRoot, 'container', 'cleanup', rec.id];
  let started;
  try {
    started = await startConmon(ns, conmon, {
      containerId: rec.id,
      name: rec.name,
      runtimePath: runtime.path,
      runtimeArgs: runtimeGlobalArgs(runtime),
      bundleDir: f.userdata,
      pidFile: f.pidFile,
      exitDir: f.exits,
      logPath: f.log,
      conmonPidFile: f.conmonPid,
      terminal: rec.tty,
      stdin: rec.stdin,
      exitCommand,
      logLevel: conmonLogLevel(),
      ...(notify.proxyDir ? { sdNotifySocket: notify.hostSocket } : {}),
    });
  } catch (err) {
    await releaseContainerRootfs(ctx, ns, rec, 'container').catch(() => {});
    await teardownNetwork(ctx, rec.id, ns);
    throw err;
  }
  const record = await withStorageLock(ctx, () =>
    ctx.containers.update(rec.id, (r) => {
      r.state = {
        ...r.state,
        status: 'running',
        pid: started.pid,
        conmonPid: started.conmonPid,
        startedAt: new Date().toISOString(),
        mounted: true,
        restartCount: opts.restarting ? (r.state.restartCount ?? 0) : 0,
      };
      if (!opts.restarting) delete r.state.stoppedByUser;
      delete r.state.exitCode;
      delete r.state.finishedAt;
      delete r.state.error;
    }),
  );
  if (!record) throw new TscCtrError(`container ${rec.id} was removed while starting`);
  const attachment = opts.attach ? await Attachment.open(f.attach) : undefined;
  await runtimeStart(ns, runtime, rec.id);
  await notifyStarted(notify, started.conmonPid);
  return { record, ns, runtime, attachment };
}
