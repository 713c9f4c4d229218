/**
 * Template functions: Go's built-ins (text/template/funcs.go) and the ones Podman adds
 * (containers/common pkg/report/template.go: join, json, lower, pad, split, title, truncate,
 * upper). Each declares its parameters the way Go's reflection sees them, so argument checks
 * and their messages match: `value` is a reflect.Value (a missing value stays missing), `any`
 * is interface{} (a missing value becomes nil), the others are typed. A function reports a
 * failure by throwing; the evaluator turns that into `error calling NAME: ...`.
 */
import { goJson } from './gojson.js';
import { formatValue, sprint, sprintf, sprintln } from './gofmt.js';
import {
  byteLength,
  goTitle,
  goToLower,
  goToUpper,
  kindOf,
  mapGet,
  mapSize,
  mapZero,
  truth,
  typeName,
} from './values.js';

export type Param = 'value' | 'any' | 'string' | 'int' | 'bool' | 'strings';

export interface FuncDef {
  params: Param[];
  /** Type of the variadic tail, if the function is variadic. */
  variadic?: Param;
  fn: (args: unknown[]) => unknown;
}

function notReached(): never {
  throw new Error('unreachable');
}

// --- indexing ---

function indexArg(index: unknown, cap: number): number {
  let x: number;
  if (typeof index === 'number' && Number.isInteger(index)) x = index;
  else if (typeof index === 'bigint') x = Number(index);
  else if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  else throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function byteAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 128 && byteLength(s) === s.length) return c;
  return Buffer.from(s, 'utf8')[i]!;
}

function index(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    if (item === null || item === undefined) throw new Error('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const a = item as ArrayLike<unknown>;
        const x = indexArg(idx, a.length);
        if (x === a.length) throw new Error('reflect: slice index out of range');
        item = a[x];
        break;
      }
      case 'string': {
        const s = item as string;
        const n = byteLength(s);
        const x = indexArg(idx, n);
        if (x === n) throw new Error('reflect: string index out of range');
        item = byteAt(s, x);
        break;
      }
      case 'map':
      case 'struct': {
        // a struct cannot be indexed in Go; an object here is far more likely an untagged map
        const m = item as object;
        if (typeof idx !== 'string' && !(m instanceof Map)) {
          throw new Error(`value has type ${typeName(idx)}; should be string`);
        }
        const v = mapGet(m, idx);
        item = v === undefined ? mapZero(m) : v;
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  const kind = kindOf(item);
  if (kind === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    cap = byteLength(item as string);
  } else if (kind === 'slice') {
    cap = (item as ArrayLike<unknown>).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, cap, 0];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, cap);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (kind === 'string') {
    const s = item as string;
    if (byteLength(s) === s.length) return s.slice(idx[0], idx[1]);
    return Buffer.from(s, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  }
  return Array.prototype.slice.call(item, idx[0], idx[1]);
}

function length(item: unknown): number {
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null) throw new Error('len of nil pointer');
  switch (kindOf(item)) {
    case 'string':
      return byteLength(item as string);
    case 'slice':
      return (item as ArrayLike<unknown>).length;
    case 'map':
    case 'struct': // see index(): an object is most likely an untagged map
      return mapSize(item as object);
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

// --- comparison ---

type Basic = 'bool' | 'num' | 'string' | 'other';

function basicKind(v: unknown): Basic {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'num';
    case 'string':
      return 'string';
    default:
      return 'other';
  }
}

/** nil and missing values compare as Go's invalid values: equal to each other only. */
function isNil(v: unknown): boolean {
  return v === undefined || v === null;
}

function eq(arg1: unknown, rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) {
        throw new Error(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else if (k1 === 'num') {
      t = (arg1 as number | bigint) == (arg as number | bigint);
    } else if (k1 !== 'other') {
      t = arg1 === arg;
    } else if (isNil(arg1) || isNil(arg)) {
      t = isNil(arg1) === isNil(arg);
    } else {
      const ka = kindOf(arg);
      if (kindOf(arg1) !== ka) {
        throw new Error(`non-comparable types ${formatValue(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg)}`);
      }
      if (ka === 'slice' || ka === 'map' || ka === 'func') {
        throw new Error(`non-comparable type ${formatValue(arg)}: ${typeName(arg)}`);
      }
      t = ka === 'time' ? (arg1 as Date).getTime() === (arg as Date).getTime() : arg1 === arg;
    }
    if (t) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === 'other') throw new Error('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'other') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  return (a as string | number) < (b as string | number);
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, [b]);
}

// --- escaping ---

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

const HTML_ESC: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESC[c]!);
}

let rePrintable: RegExp | undefined;

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (c < 0x80) out += ch;
    else if ((rePrintable ??= new RegExp('^[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]$', 'u')).test(ch)) out += ch;
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape: unreserved characters kept, space as '+', the rest %XX. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// --- Podman's functions ---

function join(elems: unknown, sep: string): string {
  if (elems === null || elems === undefined) return '';
  return Array.from(elems as ArrayLike<unknown>, (e) => (typeof e === 'string' ? e : formatValue(e))).join(sep);
}

function split(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

function repeat(n: number): string {
  if (n < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(n);
}

/** report's padWithSpace: prefix and suffix spaces around a non-empty string. */
function pad(s: string, prefix: number, suffix: number): string {
  if (s === '') return s;
  return repeat(prefix) + s + repeat(suffix);
}

/** report's truncateWithLength: the first n bytes, when the string is at least that long. */
function truncate(s: string, n: number): string {
  const len = byteLength(s);
  if (len < n) return s;
  if (n < 0) throw new Error(`runtime error: slice bounds out of range [:${n}]`);
  if (len === s.length) return s.slice(0, n);
  return Buffer.from(s, 'utf8').subarray(0, n).toString('utf8');
}

export const FUNCS: Readonly<Record<string, FuncDef>> = {
  // Go built-ins
  and: { params: ['value'], variadic: 'value', fn: notReached },
  or: { params: ['value'], variadic: 'value', fn: notReached },
  call: { params: ['value'], variadic: 'value', fn: notReached },
  not: { params: ['value'], fn: ([v]) => !truth(v) },
  len: { params: ['value'], fn: ([v]) => length(v) },
  index: { params: ['value'], variadic: 'value', fn: ([item, ...idx]) => index(item, idx) },
  slice: { params: ['value'], variadic: 'value', fn: ([item, ...idx]) => slice(item, idx) },
  print: { params: [], variadic: 'any', fn: (a) => sprint(a) },
  printf: { params: ['string'], variadic: 'any', fn: ([f, ...a]) => sprintf(f as string, a) },
  println: { params: [], variadic: 'any', fn: (a) => sprintln(a) },
  html: { params: [], variadic: 'any', fn: (a) => htmlEscape(evalArgs(a)) },
  js: { params: [], variadic: 'any', fn: (a) => jsEscape(evalArgs(a)) },
  urlquery: { params: [], variadic: 'any', fn: (a) => queryEscape(evalArgs(a)) },
  eq: { params: ['value'], variadic: 'value', fn: ([a, ...b]) => eq(a, b) },
  ne: { params: ['value', 'value'], fn: ([a, b]) => !eq(a, [b]) },
  lt: { params: ['value', 'value'], fn: ([a, b]) => lt(a, b) },
  le: { params: ['value', 'value'], fn: ([a, b]) => le(a, b) },
  gt: { params: ['value', 'value'], fn: ([a, b]) => !le(a, b) },
  ge: { params: ['value', 'value'], fn: ([a, b]) => !lt(a, b) },
  // containers/common pkg/report
  join: { params: ['strings', 'string'], fn: ([e, s]) => join(e, s as string) },
  json: { params: ['any'], fn: ([v]) => goJson(v, { escapeHTML: false }) },
  lower: { params: ['string'], fn: ([s]) => goToLower(s as string) },
  pad: { params: ['string', 'int', 'int'], fn: ([s, a, b]) => pad(s as string, a as number, b as number) },
  split: { params: ['string', 'string'], fn: ([s, sep]) => split(s as string, sep as string) },
  title: { params: ['string'], fn: ([s]) => goTitle(s as string) },
  truncate: { params: ['string', 'int'], fn: ([s, n]) => truncate(s as string, n as number) },
  upper: { params: ['string'], fn: ([s]) => goToUpper(s as string) },
};

export const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'and', 'or', 'call', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'html', 'js', 'urlquery',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge',
]);

export function hasFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCS, name);
}
