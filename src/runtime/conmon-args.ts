/**
 * conmon's command line, as Podman 4.3 builds it (PODMAN-NOTES.md §1.1–1.2). Pure: the caller
 * decides paths, the runtime and the exit command.
 */
export interface ConmonArgsInput {
  containerId: string;
  name: string;
  runtimePath: string;
  /** Global runtime flags, e.g. ['--root', '/run/user/1000/tsc-ctr/runc']. */
  runtimeArgs: string[];
  bundleDir: string;
  pidFile: string;
  exitDir: string;
  logPath: string;
  logDriver?: 'k8s-file' | 'journald' | 'none' | 'passthrough';
  logSizeMax?: number;
  conmonPidFile: string;
  terminal: boolean;
  stdin: boolean;
  /** argv of the cleanup command conmon runs after the container exits. */
  exitCommand?: string[];
  logLevel?: 'debug' | 'info' | 'warning' | 'error';
  sdNotifySocket?: string;
  /** Exec sessions. */
  exec?: { sessionId: string; processSpecPath: string; attach: boolean };
  timeoutSec?: number;
}

export function conmonArgs(i: ConmonArgsInput): string[] {
  const a = ['--api-version', '1', '-c', i.containerId, '-u', i.exec?.sessionId ?? i.containerId, '-r', i.runtimePath, '-b', i.bundleDir, '-p', i.pidFile, '-n', i.name, '--exit-dir', i.exitDir, '--full-attach'];
  const driver = i.logDriver ?? 'k8s-file';
  if (i.exec) a.push('-l', 'none');
  else if (driver === 'k8s-file') a.push('-l', `k8s-file:${i.logPath}`);
  else a.push('-l', driver);
  if (i.logSizeMax !== undefined && i.logSizeMax > 0) a.push('--log-size-max', String(i.logSizeMax));
  a.push('--log-level', i.logLevel ?? 'warning');
  for (const r of i.runtimeArgs) a.push('--runtime-arg', r);
  if (i.terminal) a.push('-t');
  else if (i.stdin) a.push('-i');
  if (i.terminal && i.stdin && i.exec) a.push('-i');
  if (i.exec) {
    a.push('-e', '--exec-process-spec', i.exec.processSpecPath);
    if (i.exec.attach) a.push('--exec-attach');
  }
  if (i.timeoutSec) a.push('-T', String(i.timeoutSec));
  if (i.sdNotifySocket) a.push(`--sdnotify-socket=${i.sdNotifySocket}`);
  a.push('--conmon-pidfile', i.conmonPidFile);
  if (i.exitCommand && i.exitCommand.length > 0) {
    a.push('--exit-command', i.exitCommand[0]!);
    for (const arg of i.exitCommand.slice(1)) a.push('--exit-command-arg', arg);
  }
  return a;
}

/** conmon's sync-pipe messages: `{"data": N}` or `{"data": -1, "message": "..."}`, one per line. */
export interface SyncMessage {
  data: number;
  message?: string;
}

/** Split what was read from the sync pipe into complete JSON messages (pure; returns the rest). */
export function parseSyncMessages(buffered: string): { messages: SyncMessage[]; rest: string } {
  const messages: SyncMessage[] = [];
  let rest = buffered;
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) break;
    const line = rest.slice(0, nl).trim();
    rest = rest.slice(nl + 1);
    if (!line) continue;
    try {
      const j = JSON.parse(line) as Partial<SyncMessage> & { pid?: number; exit_code?: number };
      const data = j.data ?? j.pid ?? j.exit_code;
      if (typeof data === 'number') messages.push(j.message !== undefined ? { data, message: j.message } : { data });
    } catch {
      /* conmon writes only JSON here; ignore noise */
    }
  }
  return { messages, rest };
}
