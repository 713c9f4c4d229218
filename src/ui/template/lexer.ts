/**
 * The lexer of Go's text/template (text/template/parse/lex.go, Go 1.22 behaviour): `{{ }}`
 * actions, `{{- ` / ` -}}` trim markers, comments (`/*` and `*` `/` inside braces), and inside actions spaces,
 * fields, variables, identifiers, keywords, strings, raw strings, characters and numbers.
 * The whole input is scanned up front; a lexical error becomes the last item, as Go's lexer
 * ends its stream with an error item that the parser reports when it reaches it.
 */
import { isPrint } from './gofmt.js';
import { isDigitRune, isLetterRune } from './values.js';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Item {
  typ: ItemType;
  /** Offset (UTF-16 index) of the item in the input. */
  pos: number;
  val: string;
}

const KEYWORDS: Record<string, ItemType> = {
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};

export function isKeyword(t: ItemType): boolean {
  switch (t) {
    case 'block':
    case 'break':
    case 'continue':
    case 'dot':
    case 'define':
    case 'else':
    case 'end':
    case 'if':
    case 'nil':
    case 'range':
    case 'template':
    case 'with':
      return true;
    default:
      return false;
  }
}

const LEFT = '{{';
const RIGHT = '}}';
const EOF = '';

function isSpace(r: string): boolean {
  return r === ' ' || r === '\t' || r === '\r' || r === '\n';
}

export function isAlphaNumeric(r: string): boolean {
  if (r === EOF) return false;
  return r === '_' || isLetterRune(r) || isDigitRune(r);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === '-' && isSpace(s[at + 1]!);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s[at]!) && s[at + 1] === '-';
}

function isSpaceChar(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Go's %#U of a rune: `U+0023 '#'` (without the quoted form when not printable). */
export function goRuneU(r: string): string {
  if (r === EOF) return 'U+FFFFFFFFFFFFFFFF';
  const c = r.codePointAt(0)!;
  const hex = c.toString(16).toUpperCase().padStart(4, '0');
  return isPrint(r) ? `U+${hex} '${r}'` : `U+${hex}`;
}

type StateFn = ((l: Lexer) => StateFn) | null;

class Lexer {
  readonly items: Item[] = [];
  pos = 0;
  start = 0;
  width = 0;
  parenDepth = 0;

  constructor(readonly input: string) {}

  next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const c = this.input.charCodeAt(this.pos);
    const w = c >= 0xd800 && c <= 0xdbff && this.pos + 1 < this.input.length ? 2 : 1;
    const r = this.input.slice(this.pos, this.pos + w);
    this.width = w;
    this.pos += w;
    return r;
  }

  peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.pos -= this.width;
    this.width = 0;
  }

  emit(typ: ItemType): void {
    this.items.push({ typ, pos: this.start, val: this.input.slice(this.start, this.pos) });
    this.start = this.pos;
  }

  ignore(): void {
    this.start = this.pos;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(r)) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(r)) break;
    }
    this.backup();
  }

  errorf(msg: string): StateFn {
    this.items.push({ typ: 'error', pos: this.start, val: msg });
    return null;
  }

  atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) return [true, true];
    if (this.input.startsWith(RIGHT, this.pos)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
    }
    return this.input.startsWith(RIGHT, this.pos);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

function leftTrimLength(s: string, at: number): number {
  let i = at;
  while (i < s.length && isSpaceChar(s[i])) i++;
  return i - at;
}

function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      let trim = 0;
      if (hasLeftTrimMarker(l.input, x + LEFT.length)) {
        let i = x;
        while (i > l.start && isSpaceChar(l.input[i - 1])) i--;
        trim = x - i;
      }
      l.pos -= trim;
      const text = l.input.slice(l.start, l.pos);
      const item: Item = { typ: 'text', pos: l.start, val: text };
      l.pos += trim;
      l.ignore();
      if (text.length > 0) l.items.push(item);
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) l.emit('text');
  l.emit('eof');
  return null;
}

function lexLeftDelim(l: Lexer): StateFn {
  l.pos += LEFT.length;
  const trim = hasLeftTrimMarker(l.input, l.pos);
  const after = trim ? 2 : 0;
  if (l.input.startsWith('/*', l.pos + after)) {
    l.pos += after;
    l.ignore();
    return lexComment;
  }
  l.emit('leftDelim');
  l.pos += after;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn {
  l.pos += 2;
  const x = l.input.indexOf('*/', l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + 2;
  const [delim, trim] = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  if (trim) l.pos += 2;
  l.pos += RIGHT.length;
  if (trim) l.pos += leftTrimLength(l.input, l.pos);
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn {
  const [, trim] = l.atRightDelim();
  if (trim) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += RIGHT.length;
  l.emit('rightDelim');
  if (trim) {
    l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
  }
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (r) {
    case '=':
      l.emit('assign');
      return lexInsideAction;
    case ':':
      if (l.next() !== '=') return l.errorf('expected :=');
      l.emit('declare');
      return lexInsideAction;
    case '|':
      l.emit('pipe');
      return lexInsideAction;
    case '"':
      return lexQuote;
    case '`':
      return lexRawQuote;
    case '$':
      return lexVariable;
    case "'":
      return lexChar;
    case '(':
      l.parenDepth++;
      l.emit('leftParen');
      return lexInsideAction;
    case ')':
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf('unexpected right paren');
      l.emit('rightParen');
      return lexInsideAction;
  }
  if (r === '.') {
    if (l.pos < l.input.length) {
      const c = l.input.charCodeAt(l.pos);
      if (c < 48 || c > 57) return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === '+' || r === '-' || (r >= '0' && r <= '9')) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  const c = r.codePointAt(0)!;
  if (c < 0x80 && c >= 0x20 && c < 0x7f) {
    l.emit('char');
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${goRuneU(r)}`);
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    numSpaces++;
  }
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT, l.pos - 1 + 2)) {
    l.pos -= 1; // before the space of " -}}"
    if (numSpaces === 1) return lexRightDelim;
  }
  l.emit('space');
  return lexInsideAction;
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${goRuneU(r)}`);
    const kw = KEYWORDS[word];
    if (kw !== undefined && Object.prototype.hasOwnProperty.call(KEYWORDS, word)) l.emit(kw);
    else if (word === 'true' || word === 'false') l.emit('bool');
    else l.emit('identifier');
    return lexInsideAction;
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) {
    l.emit('variable');
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, typ: 'field' | 'variable'): StateFn {
  if (l.atTerminator()) {
    l.emit(typ === 'variable' ? 'variable' : 'dot');
    return lexInsideAction;
  }
  let r: string;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${goRuneU(r)}`);
  l.emit(typ);
  return lexInsideAction;
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === '\\') {
      const e = l.next();
      if (e !== EOF && e !== '\n') continue;
      return l.errorf('unterminated character constant');
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated character constant');
    if (r === "'") break;
  }
  l.emit('charConstant');
  return lexInsideAction;
}

function lexNumber(l: Lexer): StateFn {
  if (!l.scanNumber()) return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === '+' || sign === '-') {
    if (!l.scanNumber() || l.input[l.pos - 1] !== 'i') {
      return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.start, l.pos))}`);
    }
    l.emit('complex');
    return lexInsideAction;
  }
  l.emit('number');
  return lexInsideAction;
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === '\\') {
      const e = l.next();
      if (e !== EOF && e !== '\n') continue;
      return l.errorf('unterminated quoted string');
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated quoted string');
    if (r === '"') break;
  }
  l.emit('string');
  return lexInsideAction;
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf('unterminated raw quoted string');
    if (r === '`') break;
  }
  l.emit('rawString');
  return lexInsideAction;
}

/** Scans the whole template; the last item is `eof` or `error`. */
export function lex(input: string): Item[] {
  const l = new Lexer(input);
  let state: StateFn = lexText;
  while (state) state = state(l);
  return l.items;
}
