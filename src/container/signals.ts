import { constants } from 'node:os';
import { UsageError } from '../errors.js';

const SIGNALS = constants.signals as Record<string, number>;

/** `-s KILL`, `SIGKILL`, `9`, `sigterm` → the signal number. */
export function parseSignal(s: string | number): number {
  if (typeof s === 'number') return s;
  const t = s.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n > 0 && n < 65) return n;
  } else {
    const up = t.toUpperCase();
    const name = up.startsWith('SIG') ? up : `SIG${up}`;
    const n = SIGNALS[name];
    if (n !== undefined) return n;
    const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name);
    if (rt) return 34 + Number(rt[1] ?? 0);
  }
  throw new UsageError(`invalid signal: ${s}`);
}

export function signalName(n: number): string {
  for (const [k, v] of Object.entries(SIGNALS)) if (v === n) return k;
  return String(n);
}
