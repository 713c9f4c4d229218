/**
 * `--format` as Podman reads it (containers/common pkg/report): Go templates with Podman's
 * extra functions, `json` for JSON, `table ` for aligned columns with headers.
 *
 * - `json`, `{{json}}`, `{{ json . }}`… (isJsonFormat) print the data as indented JSON;
 *   `{{json .}}` is an ordinary template.
 * - A literal `\t` or `\n` in the format is a tab or a newline; a newline ends each item.
 *   (When the unescaped text does not parse, e.g. `{{printf "\n"}}`, the text is used as
 *   written, like Podman.)
 * - List commands (formatItems) run the template once per item, as Podman's
 *   `{{range .}}…{{end}}` wrapping does; a format that has its own `{{range .}}…{{end}}` runs
 *   once on the whole list.
 * - `table ` prefix: every space becomes a tab, a header row comes first (the template run on
 *   a row whose fields are the column headers: `.CreatedAt` → `CREATED AT`, or the command's
 *   name for it), and the output is aligned by Go's tabwriter.
 *
 * Template errors are TemplateError (a TscCtrError, exit status 125) with Go's messages.
 */
import { TemplateError } from './template/errors.js';
import { execute } from './template/exec.js';
import { hasFunction } from './template/funcs.js';
import { goJson } from './template/gojson.js';
import { parse, type ParsedTemplate } from './template/parser.js';
import { HeaderRow } from './template/values.js';
import { tabwrite } from './table.js';

export { TemplateError } from './template/errors.js';
export { asGoMap, asGoStruct } from './template/values.js';
export { renderTable, tabwrite } from './table.js';

export interface FormatOptions {
  /** Column headers by field name for `table` formats ({ID: 'CONTAINER ID'}); others are derived. */
  headers?: Readonly<Record<string, string>>;
  /** What `--format json` prints for a list, when its keys differ from the template fields. */
  jsonItems?: unknown[];
  /** Template name in error messages, as Podman names it after the command ("ps", "inspect"). */
  name?: string;
  /** Indentation of `--format json` output: spaces, or the string itself. Default 4. */
  jsonIndent?: number | string;
  /** Escape <, > and & in `--format json` output (json.MarshalIndent does). Default true. */
  escapeHTML?: boolean;
  /** No header row for `table` formats (--noheading). */
  noHeading?: boolean;
  /**
   * Render `format` as a table (headers and alignment) without a `table ` prefix: for a
   * command's built-in row format such as `{{.ID}}\t{{.Image}}` (Podman's OriginPodman).
   */
  table?: boolean;
}

const JSON_FORMAT = /^[\t\n\f\r ]*(json|\{\{[\t\n\f\r ]*json\.?[\t\n\f\r ]*\}\})[\t\n\f\r ]*$/;
const RANGE_DOT = /\{\{[\t\n\f\r ]*range[\t\n\f\r ]*\.[\t\n\f\r ]*\}\}[\s\S]*\{\{[\t\n\f\r ]*end[\t\n\f\r ]*-?[\t\n\f\r ]*\}\}/;

/** `json`, `{{json}}`, `{{ json. }}`: the whole output as JSON (report.IsJSON). */
export function isJsonFormat(format: string): boolean {
  return JSON_FORMAT.test(format);
}

/** strings.Replacer semantics: left to right, at each position the first pair that matches. */
function replacePairs(s: string, pairs: readonly (readonly [string, string])[]): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; ) {
    let hit = false;
    for (const [from, to] of pairs) {
      if (s.startsWith(from, i)) {
        out += s.slice(last, i) + to;
        i += from.length;
        last = i;
        hit = true;
        break;
      }
    }
    if (!hit) i++;
  }
  return out + s.slice(last);
}

const TABLE_PAIRS = [
  ['table ', ''],
  ['\\t', '\t'],
  [' ', '\t'],
  ['\\n', '\n'],
] as const;
const ESCAPE_PAIRS = [
  ['\\t', '\t'],
  ['\\n', '\n'],
] as const;

/** report.NormalizeFormat: unescape \t and \n (table: drop "table ", spaces to tabs), end with \n. */
export function normalizeFormat(format: string): string {
  let f = format.startsWith('table ') ? replacePairs(format, TABLE_PAIRS) : replacePairs(format, ESCAPE_PAIRS);
  if (!f.endsWith('\n')) f += '\n';
  return f;
}

function enforceRange(format: string): string {
  return RANGE_DOT.test(format) ? format : `{{range .}}${format}{{end -}}`;
}

const cache = new Map<string, ParsedTemplate>();

function parseCached(name: string, text: string): ParsedTemplate {
  const key = `${name}\0${text}`;
  let t = cache.get(key);
  if (!t) {
    t = parse(name, text, hasFunction);
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(key, t);
  }
  return t;
}

/**
 * Compiles a Go template (no Podman rules: the text is used as it is). Throws TemplateError on
 * a syntax error; the returned function throws TemplateError when execution fails.
 */
export function compileTemplate(src: string, opts: { name?: string } = {}): (data: unknown) => string {
  const t = parseCached(opts.name ?? 'output', src);
  return (data) => execute(t, data);
}

interface Prepared {
  tmpl: ParsedTemplate;
  table: boolean;
}

/** Formatter.Parse: the text Podman hands to text/template for a format and its origin. */
function prepare(format: string, origin: 'list' | 'one', opts: FormatOptions): Prepared {
  const name = opts.name ?? 'output';
  let norm: string;
  let raw: string;
  let table = false;
  if (format.startsWith('table ')) {
    table = true;
    norm = `{{range .}}${normalizeFormat(format)}{{end -}}`;
    raw = `{{range .}}${format.slice('table '.length)}{{end -}}`;
  } else if (origin === 'list') {
    table = opts.table === true;
    norm = enforceRange(normalizeFormat(format));
    raw = enforceRange(format);
  } else {
    norm = normalizeFormat(format);
    raw = format;
  }
  try {
    return { tmpl: parseCached(name, norm), table };
  } catch (e) {
    if (!(e instanceof TemplateError) || norm === raw) throw e;
    return { tmpl: parseCached(name, raw), table };
  }
}

function jsonOut(value: unknown, opts: FormatOptions): string {
  const ind = opts.jsonIndent ?? 4;
  const indent = typeof ind === 'number' ? ' '.repeat(ind) : ind;
  return goJson(value, { indent, escapeHTML: opts.escapeHTML ?? true }) + '\n';
}

/**
 * Output of a list command (ps, images, inspect): JSON of the whole list, a table, or the
 * template once per item.
 */
export function formatItems(format: string, items: readonly unknown[], opts: FormatOptions = {}): string {
  if (isJsonFormat(format)) return jsonOut(opts.jsonItems ?? items, opts);
  const { tmpl, table } = prepare(format, 'list', opts);
  if (!table) return execute(tmpl, items);
  let out = '';
  if (!opts.noHeading) {
    const headerRow = new HeaderRow(opts.headers);
    out += execute(tmpl, [headerRow], { headerRow });
  }
  out += execute(tmpl, items);
  return tabwrite(out);
}

/** Output of a single-object command (info, version): JSON of the object or the template on it. */
export function formatOne(format: string, item: unknown, opts: FormatOptions = {}): string {
  if (isJsonFormat(format)) return jsonOut(item, opts);
  if (format.startsWith('table ')) return formatItems(format, [item], opts);
  const { tmpl } = prepare(format, 'one', opts);
  return execute(tmpl, item);
}
