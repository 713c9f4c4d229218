/** Go's text/tabwriter, with Podman's settings and with the package's documented examples. */
import { describe, expect, it } from 'vitest';
import { renderTable, tabwrite } from '../../../src/ui/table.js';

describe('tabwrite with Podman settings (minwidth 12, padding 2)', () => {
  it.each<[string, string]>([
    ['A\tB\nx\ty\n', 'A           B\nx           y\n'],
    // column width is the widest cell plus padding, at least minwidth; the last cell is not padded
    [
      'ID\tNAME\nabcdefabcdefabcdef\tn1\nabc\tn2\n',
      'ID                  NAME\nabcdefabcdefabcdef  n1\nabc                 n2\n',
    ],
    // a line without the column ends the block: columns are aligned per block
    ['x\ty\tz\nxx\nxxxxxxxxxxxxxxxxx\ty\n', 'x           y           z\nxx\nxxxxxxxxxxxxxxxxx  y\n'],
    // a trailing tab makes a padded empty last column
    ['a\t\n', 'a           \n'],
    // empty cells are padded
    ['\tb\nlong-enough-cell\tc\n', '                  b\nlong-enough-cell  c\n'],
    // widths count runes, not bytes or display columns
    ['é\tx\n日本語\ty\n', 'é           x\n日本語         y\n'],
    // the unterminated last line is printed without a newline
    ['a\tb', 'a           b'],
    ['a\tb\nc', 'a           b\nc'],
    ['', ''],
    ['\n\n', '\n\n'],
    // lines with more cells than the ones before start nested blocks
    ['a\tb\nc\td\te\n', 'a           b\nc           d           e\n'],
  ])('%j', (text, want) => {
    expect(tabwrite(text)).toBe(want);
  });
});

describe('tabwrite with other settings (Go documentation examples)', () => {
  it('right-aligns in columns of minimal width 5 (ExampleWriter_Init)', () => {
    const text = 'a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n';
    expect(tabwrite(text, { minwidth: 5, tabwidth: 0, padding: 1, padchar: ' ', alignRight: true })).toBe(
      '    a     b       c         d.\n  123 12345 1234567 123456789.\n\n',
    );
  });

  it('pads with tabs (ExampleWriter_Init, first part)', () => {
    const text = 'a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n';
    expect(tabwrite(text, { minwidth: 0, tabwidth: 8, padding: 0, padchar: '\t' })).toBe(
      'a\tb\tc\td\t\t.\n123\t12345\t1234567\t123456789\t.\n\n',
    );
  });

  it('separates columns per block (Example_elastic)', () => {
    const text = 'a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n';
    expect(tabwrite(text, { minwidth: 0, tabwidth: 0, padding: 1, padchar: '.', alignRight: true, debug: true })).toBe(
      '....a|..b|c\n...aa|.bb|cc\n..aaa|\n.aaaa|.dddd|eeee\n',
    );
  });

  it('aligns only tab-terminated cells (Example_trailingTab)', () => {
    const text = 'a\tb\taligned\t\naa\tbb\taligned\t\naaa\tbbb\tunaligned\naaaa\tbbbb\taligned\t\n';
    expect(tabwrite(text, { minwidth: 0, tabwidth: 0, padding: 0, padchar: ' ', alignRight: true, debug: true })).toBe(
      '   a|   b|aligned|\n  aa|  bb|aligned|\n aaa| bbb|unaligned\naaaa|bbbb|aligned|\n',
    );
  });
});

describe('renderTable', () => {
  it('aligns a header row and data rows as podman ps does', () => {
    const out = renderTable(
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'NAMES'],
      [
        ['0123456789ab', 'docker.io/library/alpine:latest', 'sleep 100', 'web'],
        ['ba9876543210', 'localhost/x:1', 'sh', 'a-much-longer-name'],
      ],
    );
    expect(out).toBe(
      'CONTAINER ID  IMAGE                            COMMAND     NAMES\n' +
        '0123456789ab  docker.io/library/alpine:latest  sleep 100   web\n' +
        'ba9876543210  localhost/x:1                    sh          a-much-longer-name\n',
    );
  });

  it('drops columns of empty \\v-terminated cells with discardEmptyColumns', () => {
    const text = 'a\t\vb\nc\t\vd\n';
    expect(tabwrite(text, { minwidth: 0, padding: 1, discardEmptyColumns: true })).toBe('a b\nc d\n');
    expect(tabwrite(text, { minwidth: 0, padding: 1 })).toBe('a  b\nc  d\n');
  });

  it('prints only the header when there are no rows', () => {
    expect(renderTable(['ID', 'NAME'], [])).toBe('ID          NAME\n');
  });
});
