/**
 * How plain JavaScript values stand for Go values in the template engine.
 *
 *   undefined        Go's invalid reflect.Value (a missing map key): prints `<no value>`
 *   null             nil (pointer, slice, map, interface): prints `<nil>`
 *   string, boolean  string, bool
 *   number           int when integral, else float64; bigint is int64
 *   Array            slice
 *   Map              map
 *   object           struct, or map (see kindOf)
 *   function         a method: a field whose value is a function is called with the arguments
 *   Date             time.Time
 *
 * Go tells a struct from a map by its type; a plain object has none. An instance of a class is a
 * struct. A plain object is a map when it was marked with asGoMap(), or when it has no keys, or
 * when one of its keys could not be an exported Go field name (labels like `com.example.x` or
 * `maintainer`); otherwise it is a struct.
 * asGoStruct()/asGoMap() settle the cases the guess gets wrong. The difference shows in three
 * places, as in Go: a missing field of a struct is an error while a missing key of a map is
 * `<no value>`, a struct prints as `{v1 v2}` and a map as `map[k1:v1 k2:v2]`, and map keys are
 * visited and printed in sorted order.
 */

const marks = new WeakMap<object, 'map' | 'struct'>();
const guessed = new WeakMap<object, boolean>();

/** Marks `obj` as a Go map (keys are data: missing keys are `<no value>`, printed sorted). */
export function asGoMap<T extends object>(obj: T): T {
  marks.set(obj, 'map');
  return obj;
}

/** Marks `obj` as a Go struct (a missing field is an error, fields print in order). */
export function asGoStruct<T extends object>(obj: T): T {
  marks.set(obj, 'struct');
  return obj;
}

export type Kind =
  | 'invalid'
  | 'nil'
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'slice'
  | 'map'
  | 'struct'
  | 'func'
  | 'time';

/** Could `key` be an exported Go field name? (ASCII only: that is what our data uses.) */
function exportedName(key: string): boolean {
  const c = key.charCodeAt(0);
  if (!(c >= 65 && c <= 90)) return false;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i);
    if (!((d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95)) return false;
  }
  return true;
}

function objectIsMap(obj: object): boolean {
  const mark = marks.get(obj);
  if (mark !== undefined) return mark === 'map';
  let m = guessed.get(obj);
  if (m === undefined) {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      m = false; // an instance of a class is a struct: its fields and methods are its API
    } else {
      const keys = Object.keys(obj);
      m = keys.length === 0 || !keys.every(exportedName);
    }
    guessed.set(obj, m);
  }
  return m;
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
    case 'symbol':
      return 'invalid';
    default:
      if (v === null) return 'nil';
      if (Array.isArray(v)) return 'slice';
      if (v instanceof Map) return 'map';
      if (v instanceof Date) return 'time';
      if (ArrayBuffer.isView(v)) return 'slice';
      return objectIsMap(v as object) ? 'map' : 'struct';
  }
}

/** Key/value pairs of a map-like value, keys sorted as Go's fmtsort does (numbers numerically). */
export function sortedEntries(m: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] =
    m instanceof Map ? [...m.entries()] : Object.entries(m as Record<string, unknown>);
  entries.sort((a, b) => compareKeys(a[0], b[0]));
  return entries;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Number of entries of a map-like value. */
export function mapSize(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** Looks a key up in a map-like value: undefined when absent. */
export function mapGet(m: object, key: unknown): unknown {
  if (m instanceof Map) return m.get(key);
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  return Object.prototype.hasOwnProperty.call(m, key) ? (m as Record<string, unknown>)[key] : undefined;
}

/** The zero value of a map's element type, guessed from its values ("" for an empty map). */
export function mapZero(m: object): unknown {
  let first: unknown;
  if (m instanceof Map) {
    for (const v of m.values()) {
      first = v;
      break;
    }
  } else {
    for (const k in m) {
      if (Object.prototype.hasOwnProperty.call(m, k)) {
        first = (m as Record<string, unknown>)[k];
        break;
      }
    }
  }
  switch (typeof first) {
    case 'undefined':
    case 'string':
      return '';
    case 'number':
      return 0;
    case 'bigint':
      return 0n;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/**
 * Looks up a struct field or method: own properties and those of class prototypes, never the
 * ones every object inherits (`toString`, `constructor`). Returns [found, value].
 */
export function structField(obj: object, name: string): [boolean, unknown] {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return [true, (obj as Record<string, unknown>)[name]];
  for (let p = Object.getPrototypeOf(obj); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, name)) return [true, (obj as Record<string, unknown>)[name]];
  }
  return [false, undefined];
}

/** Go's truth: false, 0, "", nil, empty slices and maps are false; structs are always true. */
export function truth(v: unknown): boolean {
  switch (typeof v) {
    case 'undefined':
      return false;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
    case 'function':
      return true;
    default:
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (ArrayBuffer.isView(v)) return (v as Uint8Array).length > 0;
      if (v instanceof Map) return v.size > 0;
      if (v instanceof Date) return true;
      return kindOf(v) === 'map' ? mapSize(v as object) > 0 : true;
  }
}

/** A Go-looking type name for messages: `string`, `int`, `[]string`, `map[string]string`. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return 'string';
    case 'int':
      return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'bool':
      return 'bool';
    case 'func':
      return 'func';
    case 'time':
      return 'time.Time';
    case 'slice':
      if (v instanceof Uint8Array) return '[]uint8';
      return `[]${elemTypeName(v as unknown[])}`;
    case 'map': {
      const vals = v instanceof Map ? [...v.values()] : Object.values(v as object);
      return `map[string]${elemTypeName(vals)}`;
    }
    case 'struct': {
      const ctor = (v as object).constructor;
      return typeof ctor === 'function' && ctor !== Object && ctor.name ? ctor.name : 'struct';
    }
  }
}

function elemTypeName(values: ArrayLike<unknown>): string {
  let name: string | undefined;
  for (let i = 0; i < values.length; i++) {
    const t = values[i] === null || values[i] === undefined ? 'interface {}' : typeName(values[i]);
    if (name === undefined) name = t;
    else if (name !== t) return 'interface {}';
  }
  return name ?? 'interface {}';
}

/** The header row of a `table` format: `.Field` evaluates to the column header of Field. */
export class HeaderRow {
  constructor(private readonly overrides: Readonly<Record<string, string>> = {}) {}
  header(field: string): string {
    const o = this.overrides[field];
    return o !== undefined ? goToUpper(o) : goToUpper(camelSplit(field).join(' '));
  }
}

// --- Go string helpers shared by the functions and the header rules ---

let reLower: RegExp | undefined;
let reUpper: RegExp | undefined;
let reDigit: RegExp | undefined;
let reLetter: RegExp | undefined;
let reSpace: RegExp | undefined;

export function isUpperRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return (reUpper ??= new RegExp('^\\p{Lu}$', 'u')).test(ch);
}

export function isLowerRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 97 && c <= 122;
  return (reLower ??= new RegExp('^\\p{Ll}$', 'u')).test(ch);
}

export function isDigitRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 48 && c <= 57;
  return (reDigit ??= new RegExp('^\\p{Nd}$', 'u')).test(ch);
}

export function isLetterRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (reLetter ??= new RegExp('^\\p{L}$', 'u')).test(ch);
}

export function isSpaceRune(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (reSpace ??= new RegExp('^[\\u0085\\u00a0\\p{Zs}\\u2028\\u2029]$', 'u')).test(ch);
}

/**
 * containers/common report/camelcase.Split: runs of lower, upper, digit and other characters,
 * with the last upper of a run moved to a following lower run ("PDFLoader" → PDF, Loader).
 */
export function camelSplit(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const ch of src) {
    const cls = isLowerRune(ch) ? 1 : isUpperRune(ch) ? 2 : isDigitRune(ch) ? 3 : 4;
    if (cls === last) runs[runs.length - 1]!.push(ch);
    else runs.push([ch]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (isUpperRune(a[0]!) && isLowerRune(b[0]!)) {
      b.unshift(a.pop()!);
    }
  }
  const out = runs.filter((r) => r.length > 0).map((r) => r.join(''));
  return out.length ? out : [''];
}

/** strings.ToUpper: simple (one rune to one rune) case mapping, so "ß" stays "ß" as in Go. */
export function goToUpper(s: string): string {
  return mapRunes(s, (ch) => ch.toUpperCase());
}

/** strings.ToLower with simple case mapping. */
export function goToLower(s: string): string {
  return mapRunes(s, (ch) => ch.toLowerCase());
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

function mapRunes(s: string, f: (ch: string) => string): string {
  if (isAscii(s)) return f(s);
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    // a special casing that yields several runes (ß → SS, İ → i̇) is not Go's simple mapping
    out += m.length === ch.length || [...m].length === 1 ? m : ch;
  }
  return out;
}

/** strings.Title: upper-cases the first letter of each word (words split as Go's isSeparator). */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) {
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return false;
    return true;
  }
  if (isLetterRune(ch) || isDigitRune(ch)) return false;
  return isSpaceRune(ch);
}

/** Length in bytes of the UTF-8 encoding (Go's len of a string). */
export function byteLength(s: string): number {
  return isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** Number of runes (Go's utf8.RuneCountInString). */
export function runeCount(s: string): number {
  if (isAscii(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}
