/**
 * The parser of Go's text/template (text/template/parse/parse.go): the same grammar, the same
 * parse-time checks (undefined functions and variables, `{{break}}` outside `{{range}}`,
 * non-executable pipeline stages) and the same messages, `template: NAME:LINE: ...`.
 */
import { quote } from './gofmt.js';
import { TemplateError } from './errors.js';
import { isKeyword, lex, type Item, type ItemType } from './lexer.js';

export interface TextNode {
  type: 'text';
  pos: number;
  text: string;
}
export interface ListNode {
  type: 'list';
  pos: number;
  nodes: Node[];
}
export interface ActionNode {
  type: 'action';
  pos: number;
  pipe: PipeNode;
}
export interface PipeNode {
  type: 'pipe';
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  type: 'command';
  pos: number;
  args: Node[];
}
export interface FieldNode {
  type: 'field';
  pos: number;
  ident: string[];
}
export interface VariableNode {
  type: 'variable';
  pos: number;
  ident: string[];
}
export interface ChainNode {
  type: 'chain';
  pos: number;
  node: Node;
  field: string[];
}
export interface IdentifierNode {
  type: 'identifier';
  pos: number;
  ident: string;
}
export interface DotNode {
  type: 'dot';
  pos: number;
}
export interface NilNode {
  type: 'nil';
  pos: number;
}
export interface BoolNode {
  type: 'bool';
  pos: number;
  value: boolean;
}
export interface NumberNode {
  type: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  isFloat: boolean;
  /** The integer value (a bigint beyond 2^53) when isInt. */
  int: number | bigint;
  /** The float value when isFloat. */
  float: number;
}
export interface StringNode {
  type: 'string';
  pos: number;
  quoted: string;
  text: string;
}
export interface BranchNode {
  type: 'if' | 'range' | 'with';
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface TemplateNode {
  type: 'template';
  pos: number;
  name: string;
  pipe: PipeNode | undefined;
}
export interface SimpleNode {
  type: 'break' | 'continue' | 'end' | 'else';
  pos: number;
}

export type Node =
  | TextNode
  | ListNode
  | ActionNode
  | PipeNode
  | CommandNode
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | TemplateNode
  | SimpleNode;

/** A parsed template: the main tree and those named by {{define}} / {{block}}. */
export interface ParsedTemplate {
  name: string;
  text: string;
  root: ListNode;
  trees: Map<string, ListNode>;
}

/** Node.String() of Go's parse package, used in error contexts (`at <.Foo>`). */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'text':
      return n.text;
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.ident.map((i) => '.' + i).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain': {
      const base = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.field.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.ident;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case 'template':
      return n.pipe ? `{{template ${quote(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${quote(n.name)}}}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return `{{${n.type}}}`;
  }
}

/** Line of a position (1-based), as Go counts it: newlines before it. */
export function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** item.String() of Go's lexer, for "unexpected X in Y". */
function itemString(i: Item): string {
  if (i.typ === 'eof') return 'EOF';
  if (i.typ === 'error') return i.val;
  if (isKeyword(i.typ)) return `<${i.val}>`;
  const runes = [...i.val];
  if (runes.length > 10) return quote(runes.slice(0, 10).join('')) + '...';
  return quote(i.val);
}

class Parser {
  private readonly items: Item[];
  private i = 0;
  private furthest = 0;
  private vars: string[] = ['$'];
  private actionPos = -1;
  private rangeDepth = 0;
  private depth = 0;
  readonly trees = new Map<string, ListNode>();

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.items = lex(text);
  }

  // --- token stream ---

  private next(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)]!;
    if (this.i < this.items.length) this.i++;
    if (this.i - 1 > this.furthest) this.furthest = this.i - 1;
    return it;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Item {
    const it = this.next();
    this.backup();
    return it;
  }

  private nextNonSpace(): Item {
    for (;;) {
      const t = this.next();
      if (t.typ !== 'space') return t;
    }
  }

  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // --- errors ---

  private errorf(msg: string): never {
    const last = this.items[Math.min(this.furthest, this.items.length - 1)]!;
    throw new TemplateError(`template: ${this.name}:${lineAt(this.text, last.pos)}: ${msg}`);
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === 'error') {
      let extra = '';
      if (this.actionPos >= 0) {
        const actionLine = lineAt(this.text, this.actionPos);
        if (actionLine !== lineAt(this.text, token.pos)) {
          extra = token.val.endsWith(' action')
            ? ` started at ${this.name}:${actionLine}`
            : ` in action started at ${this.name}:${actionLine}`;
        }
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  // --- grammar ---

  parse(): ListNode {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== 'eof') {
      if (this.peek().typ === 'leftDelim') {
        const at = this.i;
        this.next();
        if (this.nextNonSpace().typ === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = at;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  private withFreshScope<T>(f: () => T): T {
    const vars = this.vars;
    const rangeDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    try {
      return f();
    } finally {
      this.vars = vars;
      this.rangeDepth = rangeDepth;
    }
  }

  private addTree(name: string, root: ListNode): void {
    const old = this.trees.get(name);
    if (old && !isEmptyTree(old) && !isEmptyTree(root)) {
      this.errorf(`template: multiple definition of template ${quote(name)}`);
    }
    if (!old || isEmptyTree(old)) this.trees.set(name, root);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const tok = this.nextNonSpace();
    if (tok.typ !== 'string' && tok.typ !== 'rawString') this.unexpected(tok, context);
    const name = this.unquote(tok.val);
    this.expect('rightDelim', context);
    this.withFreshScope(() => {
      const [root, end] = this.itemList();
      if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.addTree(name, root);
    });
  }

  private itemList(): [ListNode, Node] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case 'text':
        return { type: 'text', pos: token.pos, text: token.val };
      case 'leftDelim': {
        this.actionPos = token.pos;
        try {
          return this.action();
        } finally {
          this.actionPos = -1;
        }
      }
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.breakControl(token);
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with':
        return this.control(token.typ);
      case 'template':
        return this.templateControl();
    }
    this.backup();
    const pos = this.peek().pos;
    return { type: 'action', pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private breakControl(token: Item): Node {
    const t = this.nextNonSpace();
    const what = `{{${token.typ}}}`;
    if (t.typ !== 'rightDelim') this.unexpected(t, what);
    if (this.rangeDepth === 0) this.errorf(`${what} outside {{range}}`);
    return { type: token.typ as 'break' | 'continue', pos: token.pos };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === 'if' || peek.typ === 'with') return { type: 'else', pos: peek.pos };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos };
  }

  private control(context: 'if' | 'range' | 'with'): BranchNode {
    const saved = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        // {{else if x}} / {{else with x}} are {{else}}{{if x}}...{{end}}{{end}}
        if ((context === 'if' && this.peek().typ === 'if') || (context === 'with' && this.peek().typ === 'with')) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.control(context)] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { type: context, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = saved;
    }
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.withFreshScope(() => {
      const [root, end] = this.itemList();
      if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.addTree(name, root);
    });
    return { type: 'template', pos: token.pos, name, pipe };
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().typ !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: token.pos, name, pipe };
  }

  private templateName(token: Item, context: string): string {
    if (token.typ === 'string' || token.typ === 'rawString') return this.unquote(token.val);
    this.unexpected(token, context);
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const pipe: PipeNode = { type: 'pipe', pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      const at = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.typ === 'assign' || next.typ === 'declare') {
        pipe.isAssign = next.typ === 'assign';
        this.nextNonSpace();
        pipe.decl.push(variableNode(v.pos, v.val));
        this.vars.push(v.val);
        break;
      }
      if (next.typ === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(variableNode(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = at; // not a declaration: $x is the first operand
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.typ) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      switch (c.args[0]!.type) {
        case 'bool':
        case 'dot':
        case 'nil':
        case 'number':
        case 'string':
          this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === 'space') continue;
      if (token.typ === 'rightDelim' || token.typ === 'rightParen') this.backup();
      else if (token.typ !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().typ !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
      default:
        return { type: 'chain', pos, node, field: fields };
    }
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case 'identifier':
        if (!this.hasFunction(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, ident: token.val };
      case 'dot':
        return { type: 'dot', pos: token.pos };
      case 'nil':
        return { type: 'nil', pos: token.pos };
      case 'variable': {
        const v = variableNode(token.pos, token.val);
        if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
        return v;
      }
      case 'field':
        return { type: 'field', pos: token.pos, ident: token.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: token.pos, value: token.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.number(token);
      case 'leftParen': {
        if (this.depth >= 10000) this.errorf('max expression depth exceeded');
        this.depth++;
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.depth--;
        }
      }
      case 'string':
      case 'rawString':
        return { type: 'string', pos: token.pos, quoted: token.val, text: this.unquote(token.val) };
    }
    this.backup();
    return undefined;
  }

  private number(token: Item): NumberNode {
    const n: NumberNode = { type: 'number', pos: token.pos, text: token.val, isInt: false, isFloat: false, int: 0, float: 0 };
    if (token.typ === 'charConstant') {
      const r = unquoteChar(token.val);
      if (r === undefined) this.errorf(`malformed character constant: ${token.val}`);
      n.isInt = n.isFloat = true;
      n.int = n.float = r;
      return n;
    }
    if (token.typ === 'complex' || token.val.endsWith('i')) {
      this.errorf(`complex numbers are not supported: ${quote(token.val)}`);
    }
    const i = parseGoInt(token.val);
    if (i !== undefined) {
      if (i >= -(2n ** 63n) && i < 2n ** 63n) {
        n.isInt = true;
        n.int = i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
      } else if (i >= 0n && i < 2n ** 64n) {
        n.int = i; // a uint64 only: using it as an int fails at run time, as in Go
      } else {
        this.errorf(`integer overflow: ${quote(token.val)}`);
      }
      n.isFloat = true;
      n.float = Number(i);
      return n;
    }
    const f = parseGoFloat(token.val);
    if (f === undefined) this.errorf(`illegal number syntax: ${quote(token.val)}`);
    if (!/[.eEpP]/.test(token.val)) this.errorf(`integer overflow: ${quote(token.val)}`);
    n.isFloat = true;
    n.float = f;
    if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
      n.isInt = true;
      n.int = Number.isSafeInteger(f) ? f : BigInt(f);
    }
    return n;
  }

  private unquote(s: string): string {
    const u = unquoteString(s);
    if (u === undefined) this.errorf('invalid syntax');
    return u;
  }
}

function variableNode(pos: number, val: string): VariableNode {
  return { type: 'variable', pos, ident: val.split('.') };
}

function isEmptyTree(n: ListNode): boolean {
  return n.nodes.every((c) => c.type === 'text' && c.text.trim() === '');
}

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'xXbBoO'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseInt(s, 0, 64) without the range check: undefined when not an integer literal. */
export function parseGoInt(text: string): bigint | undefined {
  if (text.includes('_') && !underscoreOK(text)) return undefined;
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  if (/^0[xX]/.test(s)) {
    base = 16;
    s = s.slice(2);
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    s = s.slice(2);
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    s = s.slice(2);
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    s = s.slice(1);
  }
  if (s === '') return undefined;
  const digits = '0123456789abcdef'.slice(0, base);
  let v = 0n;
  const b = BigInt(base);
  for (const c of s.toLowerCase()) {
    const d = digits.indexOf(c);
    if (d < 0) return undefined;
    v = v * b + BigInt(d);
  }
  return neg ? -v : v;
}

/** strconv.ParseFloat(s, 64) for Go float literals (decimal and hexadecimal). */
export function parseGoFloat(text: string): number | undefined {
  if (text.includes('_') && !underscoreOK(text)) return undefined;
  const s = text.replace(/_/g, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const m = /^([+-]?)0[xX]([\da-fA-F]*)(?:\.([\da-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (m && (m[2] || m[3])) {
    const int = m[2] || '0';
    const frac = m[3] ?? '';
    let v = parseInt(int + frac || '0', 16) / 16 ** frac.length;
    v *= 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** One escape sequence of a Go literal at s[i] (after the backslash): [text, next index]. */
function unescape(s: string, i: number, q: string): [string, number] | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, i + 1];
  if (c === q) return [c, i + 1];
  const hexN = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexN) {
    const h = s.slice(i + 1, i + 1 + hexN);
    if (h.length !== hexN || !/^[\da-fA-F]+$/.test(h)) return undefined;
    const v = parseInt(h, 16);
    if (c === 'x') return [String.fromCharCode(v), i + 1 + hexN]; // a byte; Latin-1 is the best we can do
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return [String.fromCodePoint(v), i + 1 + hexN];
  }
  if (c >= '0' && c <= '7') {
    const o = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(o)) return undefined;
    const v = parseInt(o, 8);
    if (v > 255) return undefined;
    return [String.fromCharCode(v), i + 3];
  }
  return undefined;
}

/** strconv.Unquote for "..." and `...`. */
export function unquoteString(s: string): string | undefined {
  if (s.length < 2) return undefined;
  if (s[0] === '`') {
    if (s[s.length - 1] !== '`') return undefined;
    return s.slice(1, -1).replace(/\r/g, '');
  }
  if (s[0] !== '"' || s[s.length - 1] !== '"') return undefined;
  const body = s.slice(1, -1);
  if (!body.includes('\\')) return body.includes('"') || body.includes('\n') ? undefined : body;
  let out = '';
  for (let i = 0; i < body.length; ) {
    const ch = body[i]!;
    if (ch === '"' || ch === '\n') return undefined;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = unescape(body, i + 1, '"');
    if (!e) return undefined;
    out += e[0];
    i = e[1];
  }
  return out;
}

/** The rune value of a Go character literal 'x'. */
function unquoteChar(s: string): number | undefined {
  if (s.length < 3 || s[0] !== "'" || s[s.length - 1] !== "'") return undefined;
  const body = s.slice(1, -1);
  if (body[0] === '\\') {
    const e = unescape(body, 1, "'");
    if (!e || e[1] !== body.length) return undefined;
    return e[0].codePointAt(0);
  }
  const cp = body.codePointAt(0)!;
  if (String.fromCodePoint(cp).length !== body.length || body === "'") return undefined;
  return cp;
}

/** Parses `text` as a template named `name`; throws TemplateError with Go's message. */
export function parse(name: string, text: string, hasFunction: (name: string) => boolean): ParsedTemplate {
  const p = new Parser(name, text, hasFunction);
  const root = p.parse();
  return { name, text, root, trees: p.trees };
}
