/**
 * `--change` (import, commit): Dockerfile instructions applied to an image config. Pure: parse
 * the strings, then apply them to a runtime config. Instructions as Podman accepts them (CMD,
 * ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), written either
 * `KEY value` or `KEY=value`.
 */
import { posix } from 'node:path';
import { UsageError } from '../errors.js';
import type { ImageRuntimeConfig } from '../oci/image.js';
import { parseSignal, signalName } from '../container/signals.js';

export type Change =
  | { kind: 'CMD' | 'ENTRYPOINT'; args: string[] }
  | { kind: 'ENV'; name: string; value: string }
  | { kind: 'LABEL'; name: string; value: string }
  | { kind: 'EXPOSE'; ports: string[] }
  | { kind: 'VOLUME'; paths: string[] }
  | { kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'ONBUILD'; value: string };

export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

function bad(change: string, why: string): UsageError {
  return new UsageError(`invalid change ${JSON.stringify(change)}: ${why}`);
}

/** A JSON array of strings (exec form), or undefined when the text is not one. */
function jsonArgs(value: string): string[] | undefined {
  if (!value.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(value) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // shell form
  }
  return undefined;
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) return s.slice(1, -1);
  return s;
}

/**
 * Words of a shell-form `ENV`/`LABEL` line: `a=1 "b c"=2 d="e f"`. Quotes group, a backslash
 * escapes the next character; quotes are removed.
 */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}

/** `NAME=value …` pairs, or the old `NAME value` form (one pair, the rest is the value). */
function pairs(change: string, kind: 'ENV' | 'LABEL', value: string): { name: string; value: string }[] {
  let words: string[];
  try {
    words = splitWords(value);
  } catch (err) {
    throw bad(change, (err as Error).message);
  }
  if (words.length === 0) throw bad(change, `${kind} needs NAME=VALUE`);
  if (words.length > 1 && words[0]!.includes('=') && !words.slice(1).every((w) => w.includes('='))) {
    // `ENV NAME=value with spaces`: Podman takes everything after the first '=' as the value.
    const i = value.indexOf('=');
    const name = unquote(value.slice(0, i).trim());
    if (name === '') throw bad(change, `${kind} needs a non-empty name`);
    return [{ name, value: unquote(value.slice(i + 1)) }];
  }
  if (!words[0]!.includes('=')) {
    // `ENV NAME value with spaces`
    const m = /^(\S+)\s*([\s\S]*)$/.exec(value)!;
    const name = unquote(m[1]!);
    if (kind === 'LABEL' && m[2] === '') throw bad(change, 'LABEL must be formatted NAME=VALUE');
    return [{ name, value: unquote(m[2]!) }];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i < 0) throw bad(change, `${JSON.stringify(w)} is not NAME=VALUE`);
    if (i === 0) throw bad(change, `${kind} needs a non-empty name`);
    return { name: w.slice(0, i), value: w.slice(i + 1) };
  });
}

function port(change: string, p: string): string {
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(p);
  if (!m) throw bad(change, `EXPOSE port ${JSON.stringify(p)} must be PORT[/PROTO]`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw bad(change, `EXPOSE protocol must be tcp, udp or sctp, not ${JSON.stringify(m[3])}`);
  for (const n of [m[1], m[2]]) {
    if (n !== undefined && (Number(n) < 1 || Number(n) > 65535)) throw bad(change, `EXPOSE port ${n} is out of range (1-65535)`);
  }
  return `${m[1]}${m[2] ? `-${m[2]}` : ''}/${proto}`;
}

/** Parse one `--change` value. */
export function parseChange(change: string): Change {
  const m = /^\s*([A-Za-z]+)(?:\s+|=)([\s\S]*)$/.exec(change) ?? /^\s*([A-Za-z]+)\s*$/.exec(change);
  if (!m) throw bad(change, 'must be formatted as INSTRUCTION VALUE (e.g. CMD=/bin/sh)');
  const kind = m[1]!.toUpperCase();
  const value = (m[2] ?? '').trim();
  switch (kind) {
    case 'CMD':
    case 'ENTRYPOINT': {
      const args = jsonArgs(value);
      if (args) return { kind, args };
      // Shell form runs through sh -c; an empty ENTRYPOINT clears it.
      if (value === '') return { kind, args: kind === 'CMD' ? ['/bin/sh', '-c'] : [] };
      return { kind, args: ['/bin/sh', '-c', value] };
    }
    case 'ENV':
    case 'LABEL': {
      const ps = pairs(change, kind, value);
      if (ps.length !== 1) throw bad(change, `one ${kind} per --change (give --change again for more)`);
      return { kind, ...ps[0]! };
    }
    case 'EXPOSE': {
      const ports = value.split(/\s+/).filter(Boolean);
      if (!ports.length) throw bad(change, 'EXPOSE needs a port');
      return { kind, ports: ports.map((p) => port(change, p)) };
    }
    case 'VOLUME': {
      const paths = jsonArgs(value) ?? value.split(/\s+/).filter(Boolean);
      if (!paths.length || paths.some((p) => p === '')) throw bad(change, 'VOLUME needs at least one non-empty path');
      return { kind, paths };
    }
    case 'USER':
    case 'WORKDIR':
    case 'ONBUILD':
      if (value === '') throw bad(change, `${kind} needs a value`);
      return { kind, value };
    case 'STOPSIGNAL': {
      if (value === '') throw bad(change, 'STOPSIGNAL needs a signal');
      let n: number;
      try {
        n = parseSignal(value);
      } catch {
        throw bad(change, `${JSON.stringify(value)} is not a signal`);
      }
      // Stored by name (SIGTERM), as Docker writes it; an unnamed one (real-time) by number.
      return { kind, value: signalName(n) };
    }
    default:
      throw bad(change, `unknown instruction ${kind} (valid: ${CHANGE_INSTRUCTIONS.join(', ')})`);
  }
}

export function parseChanges(list: readonly string[] | undefined): Change[] {
  return (list ?? []).map(parseChange);
}

/** Set `name=value` in an env list, replacing an earlier value of the same name. */
function setEnv(env: string[], name: string, value: string): string[] {
  const out = env.filter((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) !== name);
  out.push(`${name}=${value}`);
  return out;
}

/**
 * The config after the changes, in order (a later change wins; WORKDIR is relative to the one
 * before, as in a Dockerfile). `onbuild` collects ONBUILD triggers (Docker config field OnBuild).
 */
export function applyChanges(base: ImageRuntimeConfig | undefined, changes: readonly Change[]): ImageRuntimeConfig & { OnBuild?: string[] } {
  const c: ImageRuntimeConfig & { OnBuild?: string[] } = structuredClone(base ?? {});
  for (const ch of changes) {
    switch (ch.kind) {
      case 'CMD':
        c.Cmd = ch.args;
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = ch.args;
        break;
      case 'ENV':
        c.Env = setEnv(c.Env ?? [], ch.name, ch.value);
        break;
      case 'LABEL':
        c.Labels = { ...(c.Labels ?? {}), [ch.name]: ch.value };
        break;
      case 'EXPOSE':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of ch.ports) c.ExposedPorts[p] = {};
        break;
      case 'VOLUME':
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const p of ch.paths) c.Volumes[p] = {};
        break;
      case 'USER':
        c.User = ch.value;
        break;
      case 'WORKDIR':
        c.WorkingDir = posix.resolve('/', c.WorkingDir || '/', ch.value);
        break;
      case 'STOPSIGNAL':
        c.StopSignal = ch.value;
        break;
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), ch.value];
        break;
    }
  }
  return c;
}
