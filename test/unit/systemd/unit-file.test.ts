import { describe, expect, it } from 'vitest';
import { escapeSystemdArg, quoteUnitWord, splitUnitWords } from '../../../src/systemd/escape.js';
import { lookupAll, lookupLast, parseUnitBoolean, parseUnitFile, serializeUnitFile } from '../../../src/systemd/unit-file.js';

describe('parseUnitFile', () => {
  it('sections, comments, trimming, continuation lines, repeated sections merged', () => {
    const u = parseUnitFile(
      ['# top', '[Unit]', 'Description = a \\', '  b', '; note', '', '[Container]', 'Exec=sh -c \\', '# skipped comment', '  "echo hi"', '[Unit]', 'After=x'].join('\n'),
      '/d/f.container',
    );
    expect(u.sections.map((s) => s.name)).toEqual(['Unit', 'Container']);
    expect(u.sections[0]!.entries).toEqual([
      { key: 'Description', value: 'a  b', line: 3 },
      { key: 'After', value: 'x', line: 12 },
    ]);
    expect(u.sections[1]!.entries).toEqual([{ key: 'Exec', value: 'sh -c  "echo hi"', line: 8 }]);
  });

  it.each([
    ['Key=v', /^\/f:1: assignment outside of a section$/],
    ['[Unit]\nnonsense', /^\/f:2: missing '=' in "nonsense"$/],
    ['[Unit\nA=b', /^\/f:1: invalid section header/],
    ['[Unit]\nbad key=1', /^\/f:2: invalid key "bad key"$/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseUnitFile(text, '/f')).toThrow(msg);
  });

  it('lookupAll: an empty assignment resets the list; lookupLast takes the last', () => {
    const u = parseUnitFile('[C]\nV=a\nV=b\nV=\nV=c\nV=d\n', '');
    expect(lookupAll(u, 'C', 'V').map((e) => e.value)).toEqual(['c', 'd']);
    expect(lookupLast(u, 'C', 'V')?.value).toBe('d');
    expect(lookupLast(u, 'C', 'W')).toBeUndefined();
  });

  it('booleans', () => {
    for (const t of ['yes', 'TRUE', '1', 'on', 'y', 't']) expect(parseUnitBoolean(t)).toBe(true);
    for (const f of ['no', 'False', '0', 'off', 'n', 'f']) expect(parseUnitBoolean(f)).toBe(false);
    expect(parseUnitBoolean('maybe')).toBeUndefined();
  });

  it('serializes sections with a header', () => {
    expect(serializeUnitFile([{ name: 'A', entries: [{ key: 'K', value: 'v', line: 0 }] }, { name: 'B', entries: [] }], '# h\n')).toBe('# h\n[A]\nK=v\n\n[B]\n');
  });
});

describe('word splitting and quoting', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["'x \"y\"' z", ['x "y"', 'z']],
    ['A="1 2"', ['A=1 2']],
    ['tab\\there \\x41\\\\', ['tab\there', 'A\\']],
    ['%N-%i $HOME', ['%N-%i', '$HOME']],
    ['', []],
  ])('splitUnitWords(%j)', (text, want) => {
    expect(splitUnitWords(text)).toEqual(want);
  });

  it.each([['"open'], ['trail\\'], ['bad\\q']])('splitUnitWords(%j) throws', (text) => {
    expect(() => splitUnitWords(text)).toThrow();
  });

  it.each([
    ['plain', 'plain'],
    ['$HOME', '$$HOME'],
    ['100%', '100%%'],
    ['two words', '"two words"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapeSystemdArg(%j) = %j', (arg, want) => {
    expect(escapeSystemdArg(arg)).toBe(want);
  });

  it('quoteUnitWord keeps specifiers and round-trips through splitUnitWords', () => {
    const args = ['systemd-%N', 'a b', 'q"uote', "it's", 'tab\t', '', 'back\\slash'];
    expect(quoteUnitWord('systemd-%N')).toBe('systemd-%N');
    expect(splitUnitWords(args.map(quoteUnitWord).join(' '))).toEqual(args);
  });
});
