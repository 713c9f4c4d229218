/**
 * Go's text/tabwriter, as Podman uses it for `ps`, `images` and every `table` format
 * (containers/common report: minwidth 12, tabwidth 2, padding 2, pad with spaces, no flags).
 *
 * Text is cut into cells at tabs; a cell belongs to a column only when a tab ends it (the last
 * cell of a line does not). A column block is a run of consecutive lines that have that column;
 * its width is max(minwidth, widest cell + padding), and every cell of the block is padded to
 * it. Widths count runes, as Go does (so wide characters misalign there too).
 */

export interface TabwriterOptions {
  minwidth?: number;
  tabwidth?: number;
  padding?: number;
  padchar?: string;
  /** Remove columns whose cells are all empty (tabwriter.DiscardEmptyColumns). */
  discardEmptyColumns?: boolean;
  /** Right-align cell content (tabwriter.AlignRight). */
  alignRight?: boolean;
  /** Print a '|' between columns (tabwriter.Debug). */
  debug?: boolean;
}

/** Podman's settings (report.NewWriterDefault / Formatter for `table`). */
export const PODMAN_TABWRITER: Readonly<Required<TabwriterOptions>> = {
  minwidth: 12,
  tabwidth: 2,
  padding: 2,
  padchar: ' ',
  discardEmptyColumns: false,
  alignRight: false,
  debug: false,
};

interface Cell {
  text: string;
  width: number;
  htab: boolean; // terminated by a tab (not a vertical tab)
}

function runes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--; // count each surrogate pair once
  }
  return n;
}

/** Formats `text` as a Go tabwriter.Writer would after Write(text) and Flush(). */
export function tabwrite(text: string, options: TabwriterOptions = {}): string {
  const o = { ...PODMAN_TABWRITER, ...options };
  const lines: Cell[][] = [];
  if (!text.includes('\v') && !text.includes('\f')) {
    // the common case, only tabs and newlines: split instead of scanning character by character
    const rows = text.split('\n');
    for (let r = 0; r < rows.length; r++) {
      const parts = rows[r]!.split('\t');
      const last = r === rows.length - 1;
      const line: Cell[] = [];
      for (let k = 0; k < parts.length; k++) {
        const t = parts[k]!;
        // the pending cell of the unterminated last line counts only when it has text
        if (last && k === parts.length - 1 && t.length === 0) break;
        line.push({ text: t, width: runes(t), htab: k < parts.length - 1 });
      }
      lines.push(line);
    }
  } else {
    let line: Cell[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      // \t and \v end a cell, \n and \f end a cell and the line
      if (ch === 9 || ch === 11 || ch === 10 || ch === 12) {
        const t = text.slice(start, i);
        line.push({ text: t, width: runes(t), htab: ch === 9 });
        start = i + 1;
        if (ch === 10 || ch === 12) {
          lines.push(line);
          line = [];
        }
      }
    }
    if (start < text.length) {
      const t = text.slice(start);
      line.push({ text: t, width: runes(t), htab: false });
    }
    lines.push(line);
  }

  let out = '';
  const widths: number[] = [];
  const pads: string[] = [];

  const pad = (textw: number, cellw: number): void => {
    if (o.padchar === '\t') {
      if (o.tabwidth === 0) return;
      const cw = Math.ceil(cellw / o.tabwidth) * o.tabwidth;
      out += '\t'.repeat(Math.ceil((cw - textw) / o.tabwidth));
      return;
    }
    const n = cellw - textw;
    if (n > 0) out += pads[n] ??= o.padchar.repeat(n);
  };

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const l = lines[i]!;
      for (let j = 0; j < l.length; j++) {
        const c = l[j]!;
        if (j > 0 && o.debug) out += '|';
        if (c.text.length === 0) {
          if (j < widths.length) pad(c.width, widths[j]!);
        } else if (!o.alignRight) {
          out += c.text;
          if (j < widths.length) pad(c.width, widths[j]!);
        } else {
          if (j < widths.length) pad(c.width, widths[j]!);
          out += c.text;
        }
      }
      if (i + 1 < lines.length) out += '\n';
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // this line has a cell in this column: it starts a block
      writeLines(line0, t);
      line0 = t;
      let width = o.minwidth;
      let discardable = true;
      for (; t < line1; t++) {
        const l = lines[t]!;
        if (column >= l.length - 1) break;
        const c = l[column]!;
        const w = c.width + o.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && o.discardEmptyColumns) width = 0;
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

/**
 * A header row and data rows aligned as Podman prints `ps` and `images`: columns padded to
 * the widest cell plus two spaces (at least 12), the last column not padded.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  let text = headers.join('\t') + '\n';
  for (const r of rows) text += r.join('\t') + '\n';
  return tabwrite(text);
}
