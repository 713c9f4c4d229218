/** Leveled diagnostics on stderr, Podman's --log-level names. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;
export type LogLevel = (typeof LEVELS)[number];

let threshold = LEVELS.indexOf('warn');

export function parseLogLevel(v: string): LogLevel | undefined {
  const l = v === 'warning' ? 'warn' : v;
  return (LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : undefined;
}

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS.indexOf(level);
}

/** conmon's name for our level (it knows debug, info, warning, error). */
export function conmonLogLevel(): 'debug' | 'info' | 'warning' | 'error' {
  const l = LEVELS[threshold]!;
  return l === 'trace' || l === 'debug' ? 'debug' : l === 'info' ? 'info' : l === 'warn' ? 'warning' : 'error';
}

export function enabled(level: LogLevel): boolean {
  return LEVELS.indexOf(level) >= threshold;
}

function emit(level: LogLevel, msg: string): void {
  if (!enabled(level)) return;
  // Podman prints warnings as `WARN[0000] msg`; keep the level word so scripts can grep it.
  process.stderr.write(`${level.toUpperCase().slice(0, 4)}[0000] ${msg}\n`);
}

export const log = {
  trace: (m: string) => emit('trace', m),
  debug: (m: string) => emit('debug', m),
  info: (m: string) => emit('info', m),
  warn: (m: string) => emit('warn', m),
  error: (m: string) => emit('error', m),
};
