import { basename } from 'node:path';
import { TscCtrError } from '../errors.js';

/** A failure reported by the OCI runtime, with Podman's exit codes (PODMAN-NOTES.md §6.1). */
export class RuntimeError extends TscCtrError {
  constructor(message: string, exitCode: number) {
    super(message, { code: exitCode === 127 ? 'TSC_ERR_NOT_FOUND_EXEC' : exitCode === 126 ? 'TSC_ERR_CANNOT_EXEC' : 'TSC_ERR_RUNTIME', exitCode });
  }
}

/** Classify the runtime's own text: 127 not found, 126 cannot execute, else 125. */
export function runtimeExitCode(text: string): number {
  if (/executable file not found in|no such file or directory|open executable/i.test(text)) return 127;
  if (/permission denied|operation not permitted/i.test(text)) return 126;
  return 125;
}

/** Keep the runtime's words; strip runc's JSON log framing and the repeated "runc create failed" prefix noise. */
export function runtimeError(raw: string, runtimePath: string): RuntimeError {
  let text = raw.trim();
  const lines = text.split('\n').map((l) => {
    try {
      const j = JSON.parse(l) as { msg?: string };
      return j.msg ?? l;
    } catch {
      // runc's logrus text form: time="…" level=error msg="…"
      const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(l);
      return m ? m[1]!.replace(/\\(["\\])/g, '$1') : l;
    }
  });
  text = lines.filter(Boolean).join(': ');
  const name = basename(runtimePath);
  const prefixed = text.startsWith(`${name}:`) ? text : `${name}: ${text}`;
  const code = runtimeExitCode(text);
  const hint =
    code === 127 ? ': OCI runtime attempted to invoke a command that was not found' : code === 126 ? ': OCI permission denied' : '';
  return new RuntimeError(`${prefixed}${hint}`, code);
}
