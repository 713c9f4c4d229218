import { TscCtrError } from '../errors.js';

/** One line of a k8s-file log: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  /** The content, with its newline when the line was complete (F). */
  text: string;
}

/** Parse k8s-file content into complete lines, joining partial (P) pieces up to their F. */
export function parseK8sLog(content: string): LogLine[] {
  const out: LogLine[] = [];
  const pending: Partial<Record<'stdout' | 'stderr', { time: string; text: string }>> = {};
  for (const raw of content.split('\n')) {
    if (!raw) continue;
    const a = raw.indexOf(' ');
    const b = raw.indexOf(' ', a + 1);
    const c = raw.indexOf(' ', b + 1);
    if (a < 0 || b < 0) continue;
    const time = raw.slice(0, a);
    const stream = raw.slice(a + 1, b);
    if (stream !== 'stdout' && stream !== 'stderr') continue;
    const tag = c < 0 ? raw.slice(b + 1) : raw.slice(b + 1, c);
    const text = c < 0 ? '' : raw.slice(c + 1);
    const p = pending[stream];
    if (tag === 'P') {
      if (p) p.text += text;
      else pending[stream] = { time, text };
      continue;
    }
    out.push({ time: p?.time ?? time, stream, text: `${p?.text ?? ''}${text}\n` });
    delete pending[stream];
  }
  for (const s of ['stdout', 'stderr'] as const) {
    const p = pending[s];
    if (p) out.push({ time: p.time, stream: s, text: p.text });
  }
  return out;
}

/** `--since`/`--until`: RFC3339 times, Unix seconds, or durations like 10m, 1h30m, 2s ago. */
export function parseTimeFilter(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (d) {
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * units[m[2]!]!;
    return now - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new TscCtrError(`invalid time "${v}": use RFC3339, Unix seconds, or a duration like 10m`, { code: 'TSC_ERR_USAGE' });
  return t;
}

export interface LogFilter {
  since?: number | undefined;
  until?: number | undefined;
  tail?: number | undefined;
}

export function filterLines(lines: LogLine[], f: LogFilter): LogLine[] {
  let out = lines;
  if (f.since !== undefined || f.until !== undefined) {
    out = out.filter((l) => {
      const t = Date.parse(l.time);
      return (f.since === undefined || t >= f.since) && (f.until === undefined || t <= f.until);
    });
  }
  if (f.tail !== undefined && f.tail >= 0) out = f.tail === 0 ? [] : out.slice(-f.tail);
  return out;
}
