/**
 * The parts of Go's fmt and strconv that templates reach: fmt.Sprint/Sprintln/Sprintf and the
 * default (%v) printing of values — `[a b]` for slices, `map[a:1 b:2]` with sorted keys,
 * `{v1 v2}` for structs, `<nil>`, floats as %g (`1.5`, `1e+06`), and the `%!d(string=x)`
 * complaints. Values are the JavaScript stand-ins described in values.ts.
 */
import { kindOf, runeCount, sortedEntries, structField, typeName } from './values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  widPresent: boolean;
  precPresent: boolean;
  wid: number;
  prec: number;
}

function freshFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    widPresent: false,
    precPresent: false,
    wid: 0,
    prec: 0,
  };
}

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

class Printer {
  buf = '';
  f: Flags = freshFlags();

  // --- padding ---

  private padding(n: number): string {
    if (n <= 0) return '';
    return (this.f.zero ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    const f = this.f;
    if (!f.widPresent || f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = f.wid - runeCount(s);
    if (!f.minus) this.buf += this.padding(width) + s;
    else this.buf += s + this.padding(width);
  }

  private padNoZero(s: string): void {
    const z = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = z;
  }

  // --- strings ---

  private truncate(s: string): string {
    const f = this.f;
    if (f.precPresent) {
      let n = 0;
      let i = 0;
      for (const ch of s) {
        if (n === f.prec) return s.slice(0, i);
        n++;
        i += ch.length;
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(quote(s, this.f.plus));
  }

  fmtSx(bytes: Uint8Array, digits: string): void {
    const f = this.f;
    let length = bytes.length;
    if (f.precPresent && f.prec < length) length = f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) this.buf += this.padding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.buf += this.padding(f.wid - width);
    let out = '';
    if (f.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        out += ' ';
        if (f.sharp) out += '0' + digits[16];
      }
      const c = bytes[i]!;
      out += digits[c >> 4]! + digits[c & 15]!;
    }
    this.buf += out;
    if (f.widPresent && f.wid > width && f.minus) this.buf += this.padding(f.wid - width);
  }

  // --- numbers ---

  fmtInteger(value: bigint, base: number, verb: string, digits: string): void {
    const f = this.f;
    const negative = value < 0n;
    let u = negative ? -value : value;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        const z = f.zero;
        f.zero = false;
        if (f.widPresent) this.buf += this.padding(f.wid);
        f.zero = z;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let s = '';
    if (u === 0n) s = '0';
    const b = BigInt(base);
    while (u > 0n) {
      s = digits[Number(u % b)]! + s;
      u /= b;
    }
    while (s.length < prec) s = '0' + s;
    if (f.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8) {
        if (s[0] !== '0') s = '0' + s;
      } else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (f.plus) s = '+' + s;
    else if (f.space) s = ' ' + s;
    this.padNoZero(s);
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    const f = this.f;
    let num = formatFloat(v, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.padNoZero(num);
      return;
    }
    if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    if (f.plus || num[0] !== '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.buf += num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtC(c: bigint): void {
    const r = c < 0n || c > 0x10ffffn || (c >= 0xd800n && c <= 0xdfffn) ? 0xfffd : Number(c);
    this.padNoZero(String.fromCodePoint(r));
  }

  fmtQc(c: bigint): void {
    const r = c < 0n || c > 0x10ffffn || (c >= 0xd800n && c <= 0xdfffn) ? 0xfffd : Number(c);
    const ch = String.fromCodePoint(r);
    if (this.f.sharp && ch !== "'" && ch !== '`' && isPrint(ch)) this.padNoZero("'" + ch + "'");
    else this.padNoZero("'" + escapeRune(ch, "'", this.f.plus) + "'");
  }

  fmtUnicode(c: bigint): void {
    const f = this.f;
    let hex = (c < 0n ? -c : c).toString(16).toUpperCase();
    const prec = f.precPresent && f.prec > 4 ? f.prec : 4;
    while (hex.length < prec) hex = '0' + hex;
    let s = 'U+' + hex;
    if (f.sharp && c >= 0n && c <= 0x10ffffn) {
      const ch = String.fromCodePoint(Number(c));
      if (isPrint(ch)) s += " '" + ch + "'";
    }
    this.padNoZero(s);
  }

  // --- values ---

  badVerb(verb: string, arg: unknown): void {
    this.buf += '%!' + verb + '(';
    if (arg === null || arg === undefined) {
      this.buf += '<nil>';
    } else {
      this.buf += typeName(arg) + '=';
      this.printArg(arg, 'v', 0);
    }
    this.buf += ')';
  }

  printArg(arg: unknown, verb: string, depth: number): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.padNoZero('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    switch (kindOf(arg)) {
      case 'bool':
        if (verb === 't' || verb === 'v') this.padNoZero(arg ? 'true' : 'false');
        else this.badVerb(verb, arg);
        return;
      case 'int':
        this.printInt(typeof arg === 'bigint' ? arg : BigInt(arg as number), arg as number | bigint, verb);
        return;
      case 'float':
        this.printFloat(arg as number, verb);
        return;
      case 'string':
        this.printString(arg as string, verb);
        return;
      case 'time':
        this.printStringer(goTimeString(arg as Date), verb, arg);
        return;
      case 'slice':
        this.printSlice(arg as ArrayLike<unknown>, verb, depth);
        return;
      case 'map':
        this.printMap(arg as object, verb, depth);
        return;
      case 'struct':
        this.printStruct(arg as object, verb, depth);
        return;
      case 'func':
        if (verb === 'v' || verb === 'p') this.padNoZero('0x0');
        else this.badVerb(verb, arg);
        return;
      default:
        this.padNoZero('<nil>');
    }
  }

  private printInt(v: bigint, orig: number | bigint, verb: string): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtInteger(v, 10, verb, LDIGITS);
        return;
      case 'b':
        this.fmtInteger(v, 2, verb, LDIGITS);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(v, 8, verb, LDIGITS);
        return;
      case 'x':
        this.fmtInteger(v, 16, verb, LDIGITS);
        return;
      case 'X':
        this.fmtInteger(v, 16, verb, UDIGITS);
        return;
      case 'c':
        this.fmtC(v);
        return;
      case 'q':
        this.fmtQc(v);
        return;
      case 'U':
        this.fmtUnicode(v);
        return;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        // JavaScript has one number type: an integral value given to a float verb is a float
        this.printFloat(Number(orig), verb);
        return;
      default:
        this.badVerb(verb, orig);
    }
  }

  private printFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloat(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
        this.fmtFloat(v, verb === 'b' ? 'g' : verb, this.f.precPresent ? this.f.prec : -1);
        return;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        this.fmtFloat(v, verb === 'F' ? 'f' : verb, this.f.precPresent ? this.f.prec : 6);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private printString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSx(Buffer.from(s, 'utf8'), LDIGITS);
        return;
      case 'X':
        this.fmtSx(Buffer.from(s, 'utf8'), UDIGITS);
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, s);
    }
  }

  /** A value with a String() method (time.Time, a Stringer): printed as that string. */
  private printStringer(s: string, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v':
      case 's':
      case 'x':
      case 'X':
      case 'q':
        this.printString(s, verb === 'v' && this.f.sharpV ? 's' : verb);
        return;
      default:
        this.badVerb(verb, arg);
    }
  }

  private printSlice(v: ArrayLike<unknown>, verb: string, depth: number): void {
    if (v instanceof Uint8Array && (verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
      if (verb === 's') this.fmtS(Buffer.from(v).toString('utf8'));
      else if (verb === 'q') this.fmtQ(Buffer.from(v).toString('utf8'));
      else this.fmtSx(v, verb === 'x' ? LDIGITS : UDIGITS);
      return;
    }
    if (this.f.sharpV) {
      this.buf += typeName(v) + '{';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.buf += ', ';
        this.printNested(v[i], verb, depth + 1);
      }
      this.buf += '}';
      return;
    }
    this.buf += '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) this.buf += ' ';
      this.printNested(v[i], verb, depth + 1);
    }
    this.buf += ']';
  }

  private printMap(m: object, verb: string, depth: number): void {
    const entries = sortedEntries(m);
    if (this.f.sharpV) {
      this.buf += typeName(m) + '{';
      entries.forEach(([k, val], i) => {
        if (i > 0) this.buf += ', ';
        this.printNested(k, verb, depth + 1);
        this.buf += ':';
        this.printNested(val, verb, depth + 1);
      });
      this.buf += '}';
      return;
    }
    this.buf += 'map[';
    entries.forEach(([k, val], i) => {
      if (i > 0) this.buf += ' ';
      this.printNested(k, verb, depth + 1);
      this.buf += ':';
      this.printNested(val, verb, depth + 1);
    });
    this.buf += ']';
  }

  private printStruct(o: object, verb: string, depth: number): void {
    if (o instanceof Error) {
      this.printStringer(o.message, verb, o);
      return;
    }
    const [hasString, str] = structField(o, 'String');
    if (hasString && typeof str === 'function' && str.length === 0) {
      this.printStringer(String(str.call(o)), verb, o);
      return;
    }
    if (this.f.sharpV) this.buf += typeName(o);
    this.buf += '{';
    let i = 0;
    for (const k of Object.keys(o)) {
      const val = (o as Record<string, unknown>)[k];
      if (typeof val === 'function') continue;
      if (i++ > 0) this.buf += this.f.sharpV ? ', ' : ' ';
      if (this.f.plusV || this.f.sharpV) this.buf += k + ':';
      this.printNested(val, verb, depth + 1);
    }
    this.buf += '}';
  }

  private printNested(v: unknown, verb: string, depth: number): void {
    if (v === undefined || v === null) {
      if (verb === 'v') this.buf += '<nil>';
      else this.badVerb(verb, v);
      return;
    }
    if (this.f.sharpV && typeof v === 'string') {
      this.buf += quote(v, false);
      return;
    }
    this.printArg(v, verb, depth);
  }
}

// --- public entry points ---

/** fmt.Sprint: operands printed with %v; a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v', 0);
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: operands separated by spaces, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v', 0);
  });
  return p.buf + '\n';
}

/** The %v text of one value (what a template action prints). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  const p = new Printer();
  p.printArg(v, 'v', 0);
  return p.buf;
}

/** fmt.Sprintf with Go's verbs, flags, width, precision, `*`, `[n]` and error annotations. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let reordered = false;
  let i = 0;

  // [n] argument index; returns the new argNum, index into format, and whether one was found
  const argNumber = (num: number, at: number): [number, number, boolean, boolean] => {
    if (at >= end || format[at] !== '[') return [num, at, false, true];
    reordered = true;
    for (let j = at + 1; j < end; j++) {
      if (format[j] === ']') {
        const text = format.slice(at + 1, j);
        if (!/^[0-9]+$/.test(text)) return [num, j + 1, false, false];
        const n = Number(text) - 1;
        if (n >= 0 && n < args.length) return [n, j + 1, true, true];
        return [num, j + 1, false, false];
      }
    }
    return [num, at + 1, false, false];
  };
  const parsenum = (at: number): [number, boolean, number] => {
    let n = 0;
    let found = false;
    while (at < end && format.charCodeAt(at) >= 48 && format.charCodeAt(at) <= 57) {
      n = n * 10 + (format.charCodeAt(at) - 48);
      if (n > 1e6) return [0, false, end];
      found = true;
      at++;
    }
    return [n, found, at];
  };
  const intFromArg = (num: number): [number, boolean, number] => {
    if (num >= args.length) return [0, false, num];
    const a = args[num];
    if (typeof a === 'number' && Number.isInteger(a) && Math.abs(a) <= 1e6) return [a, true, num + 1];
    if (typeof a === 'bigint' && a <= 1000000n && a >= -1000000n) return [Number(a), true, num + 1];
    return [0, false, num + 1];
  };

  while (i < end) {
    let goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++; // the '%'
    const f = (p.f = freshFlags());
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let afterIndex: boolean;
    let ok: boolean;
    [argNum, i, afterIndex, ok] = argNumber(argNum, i);
    if (!ok) goodArgNum = false;
    if (i < end && format[i] === '*') {
      i++;
      [f.wid, f.widPresent, argNum] = intFromArg(argNum);
      if (!f.widPresent) p.buf += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      [f.wid, f.widPresent, i] = parsenum(i);
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 <= end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      [argNum, i, afterIndex, ok] = argNumber(argNum, i);
      if (!ok) goodArgNum = false;
      if (i < end && format[i] === '*') {
        i++;
        [f.prec, f.precPresent, argNum] = intFromArg(argNum);
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!f.precPresent) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        [f.prec, f.precPresent, i] = parsenum(i);
        if (!f.precPresent) {
          f.prec = 0;
          f.precPresent = true;
        }
      }
    }
    if (!afterIndex) {
      [argNum, i, afterIndex, ok] = argNumber(argNum, i);
      if (!ok) goodArgNum = false;
    }
    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      p.buf += '%';
      continue;
    }
    if (!goodArgNum) {
      p.buf += '%!' + verb + '(BADINDEX)';
      continue;
    }
    if (argNum >= args.length) {
      p.buf += '%!' + verb + '(MISSING)';
      continue;
    }
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    if (verb === 'w') p.badVerb(verb, args[argNum]);
    else p.printArg(args[argNum], verb, 0);
    argNum++;
  }

  if (!reordered && argNum < args.length) {
    p.f = freshFlags();
    p.buf += '%!(EXTRA ';
    for (let k = argNum; k < args.length; k++) {
      if (k > argNum) p.buf += ', ';
      const a = args[k];
      if (a === null || a === undefined) p.buf += '<nil>';
      else {
        p.buf += typeName(a) + '=';
        p.printArg(a, 'v', 0);
      }
    }
    p.buf += ')';
  }
  return p.buf;
}

// --- strconv ---

let rePrint: RegExp | undefined;

/** strconv.IsPrint for one rune. */
export function isPrint(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return c >= 0x20 && c < 0x7f;
  return (rePrint ??= new RegExp('^[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]$', 'u')).test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(ch: string, q: string, asciiOnly: boolean): string {
  if (ch === q || ch === '\\') return '\\' + ch;
  const c = ch.codePointAt(0)!;
  if (asciiOnly ? c < 0x80 && isPrint(ch) : isPrint(ch)) return ch;
  switch (ch) {
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\v':
      return '\\v';
  }
  if (c < 0x20 || c === 0x7f) return '\\x' + hex(c, 2);
  if (c >= 0xd800 && c <= 0xdfff) return '\\ufffd';
  if (c < 0x10000) return '\\u' + hex(c, 4);
  return '\\U' + hex(c, 8);
}

/** strconv.Quote (or QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', asciiOnly);
  return out + '"';
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '`' || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) return false;
    if (c < 0x20 && c !== 9) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

interface Decimal {
  d: string; // significant digits, no leading or trailing zeros ('' for zero)
  dp: number; // position of the decimal point relative to d
}

/** Shortest decimal digits that read back as v (JavaScript and Go agree on these). */
function shortestDecimal(v: number): Decimal {
  if (v === 0) return { d: '', dp: 0 };
  const [mant, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const d = mant.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exp) + 1 };
}

/** The exact decimal expansion of a double (finite, so BigInt arithmetic gets all digits). */
function exactDecimal(v: number): Decimal {
  if (v === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  const trimmed = s.replace(/0+$/, '');
  return { d: trimmed, dp };
}

/** Rounds to nd significant digits, halves to even (strconv's decimal.Round on exact values). */
function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) {
    const d = x.d.slice(0, nd).replace(/0+$/, '');
    return { d, dp: d ? x.dp : 0 };
  }
  let i = nd - 1;
  const digits = x.d.slice(0, nd).split('');
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  digits[i] = String.fromCharCode(digits[i]!.charCodeAt(0) + 1);
  return { d: digits.slice(0, i + 1).join(''), dp: x.dp };
}

function fmtE(neg: boolean, x: Decimal, prec: number, fmt: string): string {
  let s = neg ? '-' : '';
  s += x.d.length ? x.d[0] : '0';
  if (prec > 0) {
    s += '.';
    let i = 1;
    const m = Math.min(x.d.length, prec + 1);
    if (i < m) {
      s += x.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) s += '0';
  }
  s += fmt;
  let exp = x.dp - 1;
  if (x.d.length === 0) exp = 0;
  s += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  s += exp < 10 ? '0' + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, x: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    s += x.d.slice(0, m) + '0'.repeat(x.dp - m);
  } else {
    s += '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f g G; prec -1 means shortest. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const shortest = prec < 0;
  let x: Decimal;
  if (shortest) {
    x = shortestDecimal(v);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(x.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else {
    x = exactDecimal(v);
    if (fmt === 'e' || fmt === 'E') x = roundDecimal(x, prec + 1);
    else if (fmt === 'f') x = roundDecimal(x, x.dp + prec);
    else {
      if (prec === 0) prec = 1;
      x = roundDecimal(x, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, x, prec, fmt);
    case 'f':
      return fmtF(neg, x, prec);
    default: {
      let eprec = prec;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > x.d.length) prec = x.d.length;
        return fmtE(neg, x, prec - 1, fmt === 'G' ? 'E' : 'e');
      }
      if (prec > x.dp) prec = x.d.length;
      return fmtF(neg, x, Math.max(prec - x.dp, 0));
    }
  }
}

/** The # flag on floats: keep the decimal point (and, for %g, trailing zeros). */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
    digits = prec;
    if (digits === -1) digits = 6;
  }
  let tail = '';
  const eAt = num.search(/[eEpP]/);
  let body = num;
  if (eAt >= 0) {
    tail = num.slice(eAt);
    body = num.slice(0, eAt);
  }
  let sawNonzero = false;
  let hasDot = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i]!;
    if (c === '.') hasDot = true;
    else if (c >= '1' && c <= '9') {
      sawNonzero = true;
      digits--;
    } else if (c === '0' && sawNonzero) digits--;
  }
  if (!hasDot) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  while (digits > 0) {
    body += '0';
    digits--;
  }
  return body + tail;
}

/** time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST", in local time. */
export function goTimeString(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  const p2 = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const ms = d.getMilliseconds();
  const frac = ms ? '.' + String(ms).padStart(3, '0').replace(/0+$/, '') : '';
  const sign = off < 0 ? '-' : '+';
  const hhmm = p2(Math.trunc(Math.abs(off) / 60)) + p2(Math.abs(off) % 60);
  let zone = off === 0 ? 'UTC' : sign + hhmm;
  if (off !== 0) {
    try {
      const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
        .formatToParts(d)
        .find((x) => x.type === 'timeZoneName')?.value;
      if (part && !part.startsWith('GMT') && !part.startsWith('UTC')) zone = part;
    } catch {
      // no Intl data: keep the numeric zone, as Go does for zones without an abbreviation
    }
  }
  return (
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}${frac} ${sign}${hhmm} ${zone}`
  );
}
