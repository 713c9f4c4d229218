/**
 * Executes a parsed template the way Go's text/template/exec.go does: the same walk, variable
 * scoping, truth, range order (slices by index, maps by sorted key, integers), field and method
 * resolution, argument checks and error messages
 * (`template: ps:1:13: executing "ps" at <.Foo>: can't evaluate field Foo in type T`).
 */
import { TemplateError } from './errors.js';
import { FUNCS, BUILTIN_NAMES, type FuncDef, type Param } from './funcs.js';
import { formatValue, quote } from './gofmt.js';
import {
  lineAt,
  nodeString,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  type ParsedTemplate,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './parser.js';
import { goToUpper, HeaderRow, kindOf, mapGet, sortedEntries, structField, truth, typeName } from './values.js';

/** The "no final argument" marker of a pipeline stage (Go's missingVal). */
const MISSING = Symbol('missing');
type Final = unknown;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
const MAX_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
}

const GO_TYPE: Record<Param, string> = {
  value: 'reflect.Value',
  any: 'interface {}',
  string: 'string',
  int: 'int',
  bool: 'bool',
  strings: '[]string',
};

class State {
  out = '';
  node: Node | undefined;
  vars: Variable[];
  /** Set while evaluating the first argument of `call`: a function-valued field is not invoked. */
  private rawFunc = false;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly name: string,
    data: unknown,
    private readonly depth: number,
    /** Set when rendering the header row of a table (see walkRange, validateType, evalCall). */
    private readonly headerRow?: HeaderRow,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  // --- errors ---

  errorf(msg: string): never {
    if (!this.node) throw new TemplateError(`template: ${this.name}: ${msg}`);
    const text = this.tmpl.text;
    const pos = this.node.pos;
    const nl = text.lastIndexOf('\n', pos - 1);
    const col = Buffer.byteLength(text.slice(nl + 1, pos), 'utf8');
    const location = `${this.tmpl.name}:${lineAt(text, pos)}:${col}`;
    throw new TemplateError(`template: ${location}: executing ${quote(this.name)} at <${nodeString(this.node)}>: ${msg}`);
  }

  at(node: Node): void {
    this.node = node;
  }

  // --- variables ---

  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ---

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        this.walkIfOrWith(node, dot);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out += node.text;
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: unknown): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (truth(val)) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.length;
    const decl = r.pipe.decl;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = mark;
        }
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const a = val as ArrayLike<unknown>;
          for (let i = 0; i < a.length; i++) {
            ran = true;
            oneIteration(i, a[i]);
          }
          break;
        }
        case 'map':
        case 'struct': // Go can't range over a struct; an object here is most likely an untagged map
          for (const [k, v] of sortedEntries(val as object)) {
            ran = true;
            oneIteration(k, v);
          }
          break;
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = Number(val);
          for (let i = 0; i < n; i++) {
            ran = true;
            oneIteration(undefined, i);
          }
          break;
        }
        case 'invalid':
        case 'nil':
          break; // a nil map or slice: like an empty one
        case 'string':
          if (this.headerRow) {
            // header row: `{{range .Mounts}}{{.Destination}}{{end}}` heads the column DESTINATION
            ran = true;
            oneIteration(0, this.headerRow);
            break;
          }
          this.errorf(`range can't iterate over ${formatValue(val)}`);
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      // the else branch still sees the range's variables, as in Go
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const root = this.tmpl.trees.get(t.name);
    if (!root) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const sub = new State(this.tmpl, t.name, newDot, this.depth + 1, this.headerRow);
    try {
      sub.walk(newDot, root);
    } finally {
      this.out += sub.out;
    }
  }

  // --- evaluation ---

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: Node[] | undefined, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args![0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${quote(nodeString(first))}`);
  }

  private idealConstant(c: NumberNode): unknown {
    this.at(c);
    const isHexInt = /^[+-]?0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    if (c.isFloat && !isHexInt && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return c.float;
    if (c.isInt) {
      if (typeof c.int === 'bigint' && (c.int >= 2n ** 63n || c.int < -(2n ** 63n))) this.errorf(`${c.text} overflows int`);
      return c.int;
    }
    this.errorf(`${c.text} overflows int`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[] | undefined, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[] | undefined, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[] | undefined, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Node,
    ident: string[],
    args: Node[] | undefined,
    final: Final,
  ): unknown {
    const n = ident.length;
    const raw = this.rawFunc;
    this.rawFunc = false; // only the last name of `call .A.F` is left uncalled
    try {
      for (let i = 0; i < n - 1; i++) {
        // the header row answers the last name of a chain: `.Namespaces.PIDNS` is PIDNS's header
        if (!(receiver instanceof HeaderRow)) receiver = this.evalField(dot, ident[i]!, node, undefined, MISSING, receiver);
      }
    } finally {
      this.rawFunc = raw;
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | undefined, final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const fn = FUNCS[name];
    if (!fn) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, BUILTIN_NAMES.has(name), cmd, name, args, final);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: Node,
    args: Node[] | undefined,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined || receiver === null) {
      // a missing value (and a nil map) has no fields: the result is missing too
      return undefined;
    }
    if (receiver instanceof HeaderRow) return receiver.header(name);
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
    const kind = kindOf(receiver);
    if (kind === 'struct') {
      const [found, value] = structField(receiver as object, name);
      if (found) {
        if (typeof value === 'function' && !this.rawFunc) return this.evalMethod(dot, receiver, value, node, name, args, final);
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return value;
      }
    } else if (kind === 'map') {
      const value = mapGet(receiver as object, name);
      if (typeof value === 'function' && !this.rawFunc) return this.evalMethod(dot, receiver, value, node, name, args, final);
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      return value;
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalMethod(
    dot: unknown,
    receiver: unknown,
    fn: Function,
    node: Node,
    name: string,
    args: Node[] | undefined,
    final: Final,
  ): unknown {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    if (numIn !== fn.length) this.errorf(`wrong number of args for ${name}: want ${fn.length} got ${numIn}`);
    const argv = argNodes.map((a) => this.evalArg(dot, 'value', a));
    if (final !== MISSING) argv.push(final);
    try {
      return (fn as (...a: unknown[]) => unknown).apply(receiver, argv);
    } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${errorText(e)}`);
    }
  }

  private evalCall(
    dot: unknown,
    fun: FuncDef,
    isBuiltin: boolean,
    node: Node,
    name: string,
    args: Node[] | undefined,
    final: Final,
  ): unknown {
    const argNodes = args ? args.slice(1) : [];
    let numIn = argNodes.length;
    if (final !== MISSING) numIn++;
    let numFixed = argNodes.length;
    if (fun.variadic !== undefined) {
      numFixed = fun.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fun.params.length} got ${argNodes.length}`);
      }
    } else if (numIn !== fun.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fun.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    if (isBuiltin && name === 'call' && argNodes.length > 0) {
      // `call .F x`: .F is the function to call, not a method to invoke here
      this.rawFunc = true;
      try {
        argv.push(this.evalArg(dot, 'value', argNodes[0]!));
      } finally {
        this.rawFunc = false;
      }
      i = 1;
    }
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, fun.params[i]!, argNodes[i]!));
    if (fun.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fun.variadic, argNodes[i]!));
    }
    if (final !== MISSING) {
      let t: Param = fun.params[fun.params.length - 1]!;
      if (fun.variadic !== undefined) t = numIn - 1 < numFixed ? fun.params[numIn - 1]! : fun.variadic;
      argv.push(this.validateType(final, t));
    }

    if (isBuiltin && name === 'call') {
      const callee = argNodes.length ? nodeString(argNodes[0]!) : formatValue(final);
      try {
        return callFunction(callee, argv[0], argv.slice(1));
      } catch (e) {
        this.at(node);
        this.errorf(`error calling call: ${errorText(e)}`);
      }
    }
    if (this.headerRow && name === 'index' && argv.length > 1 && argv.every((a) => typeof a === 'string')) {
      // header row: `{{index .Labels "app"}}` heads the column APP
      return goToUpper(argv[argv.length - 1] as string);
    }
    try {
      return fun.fn(argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${errorText(e)}`);
    }
  }

  private validateType(value: unknown, param: Param): unknown {
    if (value === undefined || value === null) {
      switch (param) {
        case 'value':
          return value;
        case 'any':
        case 'strings':
          return null;
        default:
          if (value === undefined) this.errorf(`invalid value; expected ${GO_TYPE[param]}`);
          this.errorf(`wrong type for value; expected ${GO_TYPE[param]}; got ${typeName(value)}`);
      }
    }
    switch (param) {
      case 'value':
      case 'any':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') return Number(value);
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'strings':
        if (kindOf(value) === 'slice') return value;
        if (this.headerRow && typeof value === 'string') return [value]; // `{{join .Names ","}}` heads NAMES
        break;
    }
    this.errorf(`wrong type for value; expected ${GO_TYPE[param]}; got ${typeName(value)}`);
  }

  private evalArg(dot: unknown, param: Param, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, param);
      case 'nil':
        if (param === 'value') return undefined;
        if (param === 'any' || param === 'strings') return null;
        this.errorf(`cannot assign nil to ${GO_TYPE[param]}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), param);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), param);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), param);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), param);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), param);
    }
    switch (param) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return Number(n.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      case 'value':
      case 'any':
        switch (n.type) {
          case 'bool':
            return n.value;
          case 'number':
            return this.idealConstant(n);
          case 'string':
            return n.text;
        }
        break;
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${GO_TYPE[param]}`);
  }

  printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === undefined) {
      this.out += '<no value>';
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out += typeof v === 'string' ? v : formatValue(v);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The `call` built-in: calls a function value with the arguments. */
function callFunction(name: string, fn: unknown, args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function ${name} of type ${typeName(fn)}`);
  if (args.length !== fn.length) throw new Error(`wrong number of args for ${name}: got ${args.length} want ${fn.length}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/**
 * Runs a parsed template on `data` and returns what it printed. With `headerRow` (the table
 * header pass) a few things Go would reject on a row of header strings give headers instead.
 */
export function execute(tmpl: ParsedTemplate, data: unknown, opts: { headerRow?: HeaderRow } = {}): string {
  const s = new State(tmpl, tmpl.name, data, 0, opts.headerRow);
  s.walk(data, tmpl.root);
  return s.out;
}
