/**
 * JSON as Go's encoding/json writes it: map keys sorted (struct fields keep their order),
 * `<`, `>`, `&` escaped as \u003c \u003e \u0026 unless HTML escaping is off (Podman turns it off
 * for `{{json .}}` and inspect, json.MarshalIndent leaves it on for `ps --format json`),
 * U+2028 and U+2029 always escaped, `null` for nil, times in RFC 3339.
 */
import { kindOf, sortedEntries } from './values.js';

export interface GoJsonOptions {
  /** Indent string per level ("" for compact output, the default). */
  indent?: string;
  /** Escape <, > and & (Go's default; Podman's `json` template function turns it off). */
  escapeHTML?: boolean;
}

const HTML_RE = /[<>&\u2028\u2029]/g;
const LINESEP_RE = /[\u2028\u2029]/g;
const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function jsonString(s: string, escapeHTML: boolean): string {
  const q = JSON.stringify(s);
  return q.replace(escapeHTML ? HTML_RE : LINESEP_RE, (c) => ESCAPES[c]!);
}

/** time.Time's MarshalJSON: RFC 3339 with nanoseconds, trailing zeros dropped, in UTC here. */
function timeJson(d: Date): string {
  if (Number.isNaN(d.getTime())) return '"0001-01-01T00:00:00Z"';
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  const frac = ms ? '.' + String(ms).padStart(3, '0').replace(/0+$/, '') : '';
  return `"${iso.slice(0, 19)}${frac}Z"`;
}

export function goJson(value: unknown, opts: GoJsonOptions = {}): string {
  const indent = opts.indent ?? '';
  const escapeHTML = opts.escapeHTML ?? true;
  const colon = indent ? ': ' : ':';

  const enc = (v: unknown, depth: number): string | undefined => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Date)) {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    switch (typeof v) {
      case 'undefined':
        return 'null';
      case 'string':
        return jsonString(v, escapeHTML);
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : 'null';
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return 'null';
    const nl = indent ? '\n' + indent.repeat(depth + 1) : '';
    const close = indent ? '\n' + indent.repeat(depth) : '';
    const kind = kindOf(v);
    if (kind === 'time') return timeJson(v as Date);
    if (kind === 'slice') {
      const arr = v as ArrayLike<unknown>;
      if (v instanceof Uint8Array) return '"' + Buffer.from(v).toString('base64') + '"';
      if (arr.length === 0) return '[]';
      const parts: string[] = [];
      for (let i = 0; i < arr.length; i++) parts.push(enc(arr[i], depth + 1) ?? 'null');
      return '[' + nl + parts.join(',' + nl) + close + ']';
    }
    const entries: [unknown, unknown][] =
      kind === 'map' ? sortedEntries(v as object) : Object.entries(v as Record<string, unknown>);
    const parts: string[] = [];
    for (const [k, val] of entries) {
      if (val === undefined) continue; // as JSON.stringify: an undefined property is absent
      const s = enc(val, depth + 1);
      if (s === undefined) continue;
      parts.push(jsonString(String(k), escapeHTML) + colon + s);
    }
    if (parts.length === 0) return '{}';
    return '{' + nl + parts.join(',' + nl) + close + '}';
  };

  return enc(value, 0) ?? 'null';
}
