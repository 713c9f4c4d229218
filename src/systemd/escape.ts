// Quoting and word splitting for systemd unit files (systemd.service(5) "Command lines",
// systemd.syntax(7) "Quoting"). Pure functions.

/** C-style escapes inside a double-quoted word, as systemd's unescaping reads them back. */
function cQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * One argument of a command line we generate from a user's literal argv (generate systemd):
 * `$` and `%` are doubled so systemd expands nothing, words with blanks or quotes are quoted,
 * and backslashes survive. Podman's generator applies the same rules.
 */
export function escapeSystemdArg(arg: string): string {
  let a = arg.replaceAll('$', () => '$$').replaceAll('%', '%%');
  if (/[ \t"]/.test(a)) return cQuote(a);
  if (a.includes('\\')) a = a.replaceAll('\\', '\\\\');
  return a;
}

/**
 * One argument of a command line built from unit-file values (quadlet): specifiers (`%N`) and
 * variables are the user's and stay for systemd to expand; only the word boundaries are kept.
 */
export function quoteUnitWord(arg: string): string {
  if (arg === '' || /[\s"'\\]/.test(arg) || /[^\x20-\x7e]/.test(arg)) return cQuote(arg);
  return arg;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/**
 * Split a unit-file value into words: blanks separate, single or double quotes group, C escapes
 * (\n, \t, \xHH, \\, \") are decoded. Throws on an unterminated quote or a dangling backslash.
 */
export function splitUnitWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && /\s/.test(value[i]!)) i++;
    if (i >= n) break;
    let word = '';
    let quote: string | undefined;
    for (; i < n; i++) {
      const ch = value[i]!;
      if (ch === '\\') {
        const nx = value[i + 1];
        if (nx === undefined) throw new Error('trailing backslash');
        if (nx === 'x') {
          const hex = value.slice(i + 2, i + 4);
          if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape \\x${hex}`);
          word += String.fromCharCode(parseInt(hex, 16));
          i += 3;
        } else if (nx === 'u' || nx === 'U') {
          const len = nx === 'u' ? 4 : 8;
          const hex = value.slice(i + 2, i + 2 + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Error(`bad escape \\${nx}${hex}`);
          word += String.fromCodePoint(parseInt(hex, 16));
          i += 1 + len;
        } else if (SIMPLE_ESCAPES[nx] !== undefined) {
          word += SIMPLE_ESCAPES[nx];
          i++;
        } else {
          throw new Error(`bad escape \\${nx}`);
        }
      } else if (quote) {
        if (ch === quote) quote = undefined;
        else word += ch;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
      } else if (/\s/.test(ch)) {
        break;
      } else {
        word += ch;
      }
    }
    if (quote) throw new Error(`unterminated quote ${quote}`);
    words.push(word);
  }
  return words;
}
