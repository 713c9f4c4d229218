// A small JSON Schema (draft-04) validator for the OCI runtime-spec schema files: the keywords
// those files use and nothing else. Any other keyword throws, so a schema feature this code does
// not know can never pass silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown> | boolean;

const IGNORED = new Set(['$schema', 'id', 'description', 'title', 'definitions', 'default']);
const KNOWN = new Set([
  '$ref',
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'anyOf',
  'allOf',
  'oneOf',
  'not',
]);

export interface SchemaError {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

/** Validates documents against `entry` in `dir`, resolving `file.json#/pointer` references. */
export class SchemaValidator {
  private files = new Map<string, Record<string, unknown>>();
  constructor(private readonly dir: string) {}

  private load(file: string): Record<string, unknown> {
    let s = this.files.get(file);
    if (!s) {
      s = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as Record<string, unknown>;
      this.files.set(file, s);
    }
    return s;
  }

  private resolve(ref: string, file: string): { schema: Schema; file: string } {
    const [f, pointer = ''] = ref.split('#');
    const target = f ? f : file;
    let node: unknown = this.load(target);
    for (const part of pointer.split('/').filter(Boolean)) {
      node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (node === undefined) throw new Error(`unresolvable $ref ${ref} in ${file}`);
    }
    return { schema: node as Schema, file: target };
  }

  validate(entry: string, doc: unknown): SchemaError[] {
    const errors: SchemaError[] = [];
    this.check(this.load(entry), entry, doc, '', errors);
    return errors;
  }

  private check(schema: Schema, file: string, v: unknown, path: string, errors: SchemaError[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push({ path, message: 'not allowed' });
      return;
    }
    for (const k of Object.keys(schema)) if (!KNOWN.has(k) && !IGNORED.has(k)) throw new Error(`schema keyword "${k}" (in ${file}) is not supported by this validator`);
    const err = (message: string) => errors.push({ path: path || '/', message });

    if (typeof schema.$ref === 'string') {
      const r = this.resolve(schema.$ref, file);
      this.check(r.schema, r.file, v, path, errors);
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => typeMatches(t, v))) {
        err(`expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) err(`${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof v === 'string') {
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) err(`"${v}" does not match ${schema.pattern}`);
      if (typeof schema.minLength === 'number' && v.length < schema.minLength) err(`shorter than ${schema.minLength}`);
    }
    if (typeof v === 'number') {
      if (typeof schema.minimum === 'number' && v < schema.minimum) err(`${v} < minimum ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && v > schema.maximum) err(`${v} > maximum ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems) err(`fewer than ${schema.minItems} items`);
      if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) err(`more than ${schema.maxItems} items`);
      if (schema.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) err('items are not unique');
      if (Array.isArray(schema.items)) v.forEach((x, i) => (schema.items as Schema[])[i] !== undefined && this.check((schema.items as Schema[])[i]!, file, x, `${path}/${i}`, errors));
      else if (schema.items !== undefined) v.forEach((x, i) => this.check(schema.items as Schema, file, x, `${path}/${i}`, errors));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) err(`missing required "${r}"`);
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>).map(([p, s]) => [new RegExp(p, 'u'), s] as const);
      for (const [k, x] of Object.entries(obj)) {
        let matched = false;
        if (props[k] !== undefined) {
          matched = true;
          this.check(props[k]!, file, x, `${path}/${k}`, errors);
        }
        for (const [re, s] of patterns) {
          if (re.test(k)) {
            matched = true;
            this.check(s, file, x, `${path}/${k}`, errors);
          }
        }
        if (!matched && schema.additionalProperties !== undefined) this.check(schema.additionalProperties as Schema, file, x, `${path}/${k}`, errors);
      }
    }
    const sub = (s: Schema) => {
      const e: SchemaError[] = [];
      this.check(s, file, v, path, e);
      return e;
    };
    if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) errors.push(...sub(s));
    if (Array.isArray(schema.anyOf)) {
      const results = (schema.anyOf as Schema[]).map(sub);
      if (!results.some((r) => r.length === 0)) err(`matches none of anyOf: ${results.map((r) => r[0]?.message).join('; ')}`);
    }
    if (Array.isArray(schema.oneOf)) {
      const ok = (schema.oneOf as Schema[]).map(sub).filter((r) => r.length === 0).length;
      if (ok !== 1) err(`matches ${ok} of oneOf, not exactly one`);
    }
    if (schema.not !== undefined && sub(schema.not as Schema).length === 0) err('matches a "not" schema');
  }
}
