// Replaying a generated unit's command lines the way systemd would run them: specifiers the test
// can know (%t, %n, %N, %%) expanded, words split and unescaped by the unit-file rules, `$$` → `$`.
import { splitUnitWords } from '../../../src/systemd/escape.js';
import { lookupAll, parseUnitFile } from '../../../src/systemd/unit-file.js';
import { harness, runAsUser, type RunResult } from '../../harness/index.js';

export interface UnitCommands {
  start: string[];
  stop: string[][];
  stopPost: string[][];
}

function expand(value: string, spec: Record<string, string>): string {
  return value.replace(/%(.)/g, (m, c: string) => {
    if (c === '%') return '%';
    const v = spec[c];
    if (v === undefined) throw new Error(`the test cannot expand specifier ${m} in ${value}`);
    return v;
  });
}

/** The command lines of [Service]; a leading `-` (failure ignored) is dropped. */
export function unitCommands(text: string, spec: { t: string; n: string; i?: string }): UnitCommands {
  const unit = parseUnitFile(text, 'generated.service');
  const map = { ...spec, N: spec.n.replace(/\.service$/, '') };
  const cmd = (v: string) => splitUnitWords(expand(v.replace(/^-/, ''), map)).map((w) => w.replaceAll('$$', '$'));
  const all = (k: string) => lookupAll(unit, 'Service', k).map((e) => cmd(e.value));
  const start = all('ExecStart');
  if (start.length !== 1) throw new Error(`expected one ExecStart, got ${start.length}`);
  return { start: start[0]!, stop: all('ExecStop'), stopPost: all('ExecStopPost') };
}

/** Run one command line as the test user (what `systemctl --user` would do). */
export function runLine(words: string[], env: Record<string, string>, opts: { asRoot?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  void harness();
  return runAsUser(words[0]!, words.slice(1), { env, timeoutMs: opts.timeoutMs ?? 120_000, asRoot: opts.asRoot === true });
}

/**
 * `systemd-analyze verify --user` as the test user. It needs a runtime directory to start its
 * offline manager (without XDG_RUNTIME_DIR it fails "Failed to lookup RuntimeDirectory path");
 * any private directory does. It also checks that every Exec program exists and is executable.
 */
export function verifyUserUnit(path: string, runtimeDir: string): Promise<RunResult> {
  return runAsUser('systemd-analyze', ['verify', '--user', '--man=no', path], { xdgRuntimeDir: runtimeDir, timeoutMs: 60_000 });
}
