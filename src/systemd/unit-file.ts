// systemd unit-file syntax (systemd.syntax(7)): sections, `Key=Value` entries, `#`/`;` comments,
// a trailing backslash continuing a line. Parsing keeps each entry's line for error messages;
// values stay raw (quotes and specifiers are the consumer's business). Pure functions.
import { TscCtrError } from '../errors.js';

export interface UnitEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface UnitSection {
  name: string;
  entries: UnitEntry[];
}

export interface UnitFile {
  /** Where it was read from (for messages and relative paths); '' when not from a file. */
  path: string;
  sections: UnitSection[];
}

/** A problem in a unit or .container file, located as FILE:LINE. */
export class UnitFileError extends TscCtrError {
  constructor(path: string, line: number | undefined, message: string) {
    super(`${path}${line ? `:${line}` : ''}: ${message}`, { code: 'TSC_ERR_UNIT_FILE' });
  }
}

export function parseUnitFile(text: string, path: string): UnitFile {
  const lines = text.split(/\r?\n/);
  const sections: UnitSection[] = [];
  let current: UnitSection | undefined;
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A backslash at the end joins the next line (with a space); comment lines in between are skipped.
    let continued = line.endsWith('\\');
    if (continued) line = `${line.slice(0, -1)} `;
    while (continued && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      if (next.startsWith('#') || next.startsWith(';')) continue;
      continued = next.endsWith('\\');
      line += continued ? `${next.slice(0, -1)} ` : next;
    }
    line = line.trim();
    if (line.startsWith('[')) {
      if (!line.endsWith(']') || line.length < 3) throw new UnitFileError(path, startLine, `invalid section header ${JSON.stringify(line)}`);
      const name = line.slice(1, -1);
      current = sections.find((s) => s.name === name);
      if (!current) sections.push((current = { name, entries: [] }));
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new UnitFileError(path, startLine, `missing '=' in ${JSON.stringify(line)}`);
    if (!current) throw new UnitFileError(path, startLine, 'assignment outside of a section');
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new UnitFileError(path, startLine, `invalid key ${JSON.stringify(key)}`);
    current.entries.push({ key, value: line.slice(eq + 1).trim(), line: startLine });
  }
  return { path, sections };
}

export function section(unit: UnitFile, name: string): UnitSection | undefined {
  return unit.sections.find((s) => s.name === name);
}

/** Every value of `key`, in order; an empty assignment resets the list (systemd's rule). */
export function lookupAll(unit: UnitFile, sec: string, key: string): UnitEntry[] {
  const out: UnitEntry[] = [];
  for (const e of section(unit, sec)?.entries ?? []) {
    if (e.key !== key) continue;
    if (e.value === '') out.length = 0;
    else out.push(e);
  }
  return out;
}

/** The last value of `key` (the one systemd uses for single-valued keys). */
export function lookupLast(unit: UnitFile, sec: string, key: string): UnitEntry | undefined {
  const entries = section(unit, sec)?.entries.filter((e) => e.key === key) ?? [];
  return entries[entries.length - 1];
}

/** systemd's booleans. Undefined when the value is none of them. */
export function parseUnitBoolean(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(s)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(s)) return false;
  return undefined;
}

/** Text of a unit file: sections in order, one `Key=Value` per line, a blank line between sections. */
export function serializeUnitFile(sections: UnitSection[], header = ''): string {
  const parts = sections.map((s) => [`[${s.name}]`, ...s.entries.map((e) => `${e.key}=${e.value}`)].join('\n'));
  return `${header}${parts.join('\n\n')}\n`;
}
