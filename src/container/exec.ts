/**
 * `exec`: one more process in a running container, through conmon's exec mode (PODMAN-NOTES.md
 * §1.2, §1.5). Its process spec is the container's own (config.json) with the exec's args,
 * environment, user, working directory and terminal.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { nsExec } from '../rootless/ns-exec.js';
import { startConmonExec } from '../runtime/conmon-exec.js';
import { runtimeGlobalArgs } from '../runtime/oci-runtime.js';
import { readContainerUserFiles, resolveUser } from '../runtime/passwd.js';
import { applyEnvEntry, parseEnvFile } from '../runtime/spec/options.js';
import { findProgram } from '../system/binaries.js';
import { selectRuntime } from './adapters.js';
import { Attachment } from './attach.js';
import { attachSession } from './attach-session.js';
import { writeExecSession } from './exec-sessions.js';
import type { ContainerContext } from './context.js';
import { containerFiles } from './start.js';
import { currentState } from './state.js';
import { ContainerStateError } from './stop.js';
import type { ContainerRecord } from './types.js';

export interface ExecOptions {
  command: string[];
  /** `-e` entries (K=V, K from our environment, K* prefixes). */
  env?: string[];
  /** `--env-file` contents. */
  envFiles?: string[];
  user?: string | undefined;
  workdir?: string | undefined;
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  privileged?: boolean;
  detachKeys?: string | undefined;
  hostEnv?: NodeJS.ProcessEnv;
}

/** The parts of an OCI process object exec changes. */
interface ProcessSpec {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: Record<'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient', string[] | undefined>;
  [k: string]: unknown;
}

/**
 * The exec's process spec from the container's (pure). `users` are the container's passwd and
 * group files, read only when `-u` is given.
 */
export function execProcessSpec(base: ProcessSpec, o: ExecOptions, users: () => { passwd?: string; group?: string }, size?: { rows: number; cols: number }): ProcessSpec {
  const p: ProcessSpec = structuredClone(base);
  p.args = o.command;
  p.terminal = !!o.tty;
  if (o.tty && size) p.consoleSize = { height: size.rows, width: size.cols };
  else delete p.consoleSize;

  const env = new Map<string, string>();
  for (const e of p.env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
  }
  const hostEnv = o.hostEnv ?? process.env;
  for (const text of o.envFiles ?? []) parseEnvFile(text, hostEnv, env);
  for (const e of o.env ?? []) applyEnvEntry(env, e, hostEnv);

  if (o.user !== undefined && o.user !== '') {
    const u = resolveUser(o.user, users());
    p.user = { ...p.user, uid: u.uid, gid: u.gid, additionalGids: u.sgids.length ? u.sgids : [] };
    if (!p.user.additionalGids?.length) delete p.user.additionalGids;
    // a user given to exec brings its own HOME unless -e set one
    if (!(o.env ?? []).some((e) => e.startsWith('HOME='))) env.set('HOME', u.home || '/');
  }
  p.env = [...env].map(([k, v]) => `${k}=${v}`);
  if (o.workdir) p.cwd = o.workdir;

  const caps = p.capabilities;
  if (caps) {
    if (o.privileged) {
      // all the container may have: its bounding set
      const all = [...(caps.bounding ?? [])];
      p.capabilities = { bounding: all, effective: all, permitted: all, inheritable: all, ambient: caps.ambient };
    } else if (p.user.uid !== 0 && base.user.uid === 0) {
      // as for a container started with a non-root user: no effective capabilities
      p.capabilities = { ...caps, effective: [], permitted: [], inheritable: [], ambient: [] };
    }
  }
  return p;
}

export interface ExecResult {
  sessionId: string;
  /** The exit code; undefined after detaching (or with `-d`). */
  exitCode?: number | undefined;
}

function sessionDir(ctx: ContainerContext, rec: ContainerRecord, sessionId: string): string {
  // conmon binds <bundle>/attach: keep the path short enough for sun_path where we can
  return join(containerFiles(ctx, rec.id).userdata, sessionId.slice(0, 12));
}

/** Run a process in a running container; attached unless `detach`. */
export async function execInContainer(ctx: ContainerContext, rec: ContainerRecord, o: ExecOptions): Promise<ExecResult> {
  const state = currentState(ctx.containers, rec);
  if (state.status !== 'running' || !state.pid) {
    throw new ContainerStateError('can only create exec sessions on running containers: container state improper');
  }
  const f = containerFiles(ctx, rec.id);
  let base: ProcessSpec;
  try {
    base = (JSON.parse(readFileSync(f.config, 'utf8')) as { process: ProcessSpec }).process;
  } catch (err) {
    throw new NotFoundError(`cannot read the runtime configuration of container ${rec.id}: ${(err as Error).message}`);
  }
  const pid = state.pid;
  const size = o.tty && process.stdout.isTTY ? { rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 } : undefined;
  const spec = execProcessSpec(base, o, () => readContainerUserFiles(`/proc/${pid}/root`), size);

  const sessionId = randomBytes(32).toString('hex');
  const dir = sessionDir(ctx, rec, sessionId);
  mkdirSync(join(dir, 'exit'), { recursive: true, mode: 0o700 });
  const specPath = join(dir, `exec-process-${randomBytes(4).toString('hex')}`);
  writeFileSync(specPath, JSON.stringify(spec));

  const ns = await nsExec(ctx.paths);
  const runtime = await selectRuntime(ctx, rec.runtime);
  const conmon = findProgram('conmon');
  if (!conmon) throw new NotFoundError('conmon not found on PATH: install the conmon package');
  let att: Attachment | undefined;
  const removeSession = () => rmSync(dir, { recursive: true, force: true });
  let started;
  try {
    started = await startConmonExec(
      ns,
      conmon,
      {
        containerId: rec.id,
        name: rec.name,
        runtimePath: runtime.path,
        runtimeArgs: runtimeGlobalArgs(runtime),
        bundleDir: dir,
        pidFile: join(dir, 'exec_pid'),
        exitDir: join(dir, 'exit'),
        logPath: '',
        conmonPidFile: join(dir, 'conmon.pid'),
        terminal: !!o.tty,
        stdin: !!o.interactive,
        exec: { sessionId, processSpecPath: specPath, attach: true },
      },
      async () => {
        if (!o.detach) att = await Attachment.open(join(dir, 'attach'));
      },
    );
  } catch (err) {
    att?.close();
    removeSession();
    throw err;
  }
  writeExecSession(dir, { id: sessionId, pid: started.pid, command: o.command });
  if (o.detach) {
    started.release();
    return { sessionId };
  }
  const end = await attachSession(ctx, rec, att!, { ns, runtime }, {
    detachKeys: o.detachKeys,
    sigProxy: false,
    stdin: !!o.interactive,
    tty: !!o.tty,
    ctlPath: join(dir, 'ctl'),
  });
  if (end === 'detached') {
    started.release();
    return { sessionId };
  }
  const exitCode = await started.exit;
  removeSession();
  return { sessionId, exitCode };
}
