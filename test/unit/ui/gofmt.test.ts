/** Go's fmt.Sprintf / Sprint and encoding/json output, case by case. */
import { describe, expect, it } from 'vitest';
import { formatFloat, quote, sprint, sprintf, sprintln } from '../../../src/ui/template/gofmt.js';
import { goJson } from '../../../src/ui/template/gojson.js';
import { asGoMap } from '../../../src/ui/template/values.js';

describe('sprintf', () => {
  it.each<[string, unknown[], string]>([
    // strings
    ['%s', ['x'], 'x'],
    ['%5s|', ['ab'], '   ab|'],
    ['%-5s|', ['ab'], 'ab   |'],
    ['%.2s', ['abc'], 'ab'],
    ['%5.2s|', ['abcdef'], '   ab|'],
    ['%.1s', ['éa'], 'é'],
    ['%3s|', ['é'], '  é|'],
    ['%05s', ['ab'], '000ab'],
    ['%6v|', ['ab'], '    ab|'],
    ['%q', ['a"b\n'], '"a\\"b\\n"'],
    ['%q', ['é\t\x07\x7f'], '"é\\t\\a\\x7f"'],
    ['%+q', ['é'], '"\\u00e9"'],
    ['%#q', ['a"b'], '`a"b`'],
    ['%-10q|', ['a'], '"a"       |'],
    ['%x', ['hi'], '6869'],
    ['% x', ['hi'], '68 69'],
    ['%#x', ['hi'], '0x6869'],
    ['%# x', ['hi'], '0x68 0x69'],
    ['%X', ['é'], 'C3A9'],
    // integers
    ['%d', [-5], '-5'],
    ['%+d', [5], '+5'],
    ['% d', [5], ' 5'],
    ['%5d|', [42], '   42|'],
    ['%-5d|', [42], '42   |'],
    ['%05d', [-42], '-0042'],
    ['%.3d', [7], '007'],
    ['%8.3d|', [7], '     007|'],
    ['%.0d|', [0], '|'],
    ['%x', [255], 'ff'],
    ['%X', [255], 'FF'],
    ['%#x', [255], '0xff'],
    ['%x', [-255], '-ff'],
    ['%o', [8], '10'],
    ['%#o', [8], '010'],
    ['%O', [8], '0o10'],
    ['%b', [5], '101'],
    ['%08b', [5], '00000101'],
    ['%c', [65], 'A'],
    ['%c', [0x1f600], '😀'],
    ['%q', [65], "'A'"],
    ['%U', [0x1f600], 'U+1F600'],
    ['%#U', [65], "U+0041 'A'"],
    ['%d', [12345678901234567890n], '12345678901234567890'],
    ['%v', [-0], '0'],
    // floats
    ['%f', [3.14159], '3.141590'],
    ['%.2f', [3.14159], '3.14'],
    ['%.0f', [2.5], '2'],
    ['%.0f', [3.5], '4'],
    ['%.2f', [0.125], '0.12'],
    ['%.2f', [0.375], '0.38'],
    ['%.1f', [0.05], '0.1'],
    ['%.2f', [1.005], '1.00'],
    ['%8.3f|', [3.14159], '   3.142|'],
    ['%-8.2f|', [3.14159], '3.14    |'],
    ['%08.3f', [-3.14159], '-003.142'],
    ['%+.1f', [2], '+2.0'],
    ['% .3f', [2], ' 2.000'],
    ['%6.2f%%', [99.5], ' 99.50%'],
    ['%f', [3], '3.000000'],
    ['%.3f', [0.0004], '0.000'],
    ['%.3f', [-0.0004], '-0.000'],
    ['%e', [1234.5678], '1.234568e+03'],
    ['%E', [1234.5678], '1.234568E+03'],
    ['%.2e', [0.000123], '1.23e-04'],
    ['%e', [0], '0.000000e+00'],
    ['%+.2e', [12345], '+1.23e+04'],
    ['%e', [1e100], '1.000000e+100'],
    ['%g', [1234.5678], '1234.5678'],
    ['%g', [0.00001234], '1.234e-05'],
    ['%g', [1e21], '1e+21'],
    ['%g', [1e6], '1e+06'],
    ['%g', [100000], '100000'],
    ['%g', [0], '0'],
    ['%.3g', [1234.5678], '1.23e+03'],
    ['%.3g', [0.0001234], '0.000123'],
    ['%.3g', [1.0], '1'],
    ['%G', [1e-10], '1E-10'],
    ['%#g', [1.0], '1.00000'],
    ['%v', [1.5], '1.5'],
    ['%v', [1e-7], '1e-07'],
    ['%v', [123456789.5], '1.234567895e+08'],
    ['%v', [100000.5], '100000.5'],
    ['%v', [0.1 + 0.2], '0.30000000000000004'],
    ['%v', [Infinity], '+Inf'],
    ['%v', [-Infinity], '-Inf'],
    ['%.1f', [NaN], 'NaN'],
    ['%5.1f|', [Infinity], ' +Inf|'],
    ['%05.1f|', [-Infinity], ' -Inf|'],
    // bools and others
    ['%t', [true], 'true'],
    ['%5t|', [false], 'false|'],
    ['%6t|', [true], '  true|'],
    ['%v', [null], '<nil>'],
    ['%s', [null], '%!s(<nil>)'],
    ['%d', [undefined], '%!d(<nil>)'],
    ['%T %T %T %T %T %T', ['x', 1, 1.5, true, ['a'], null], 'string int float64 bool []string <nil>'],
    ['%T', [{ a: 1 }], 'map[string]int'],
    ['%%', [], '%'],
    ['100%%', [], '100%'],
    // composites
    ['%v', [[1, 2]], '[1 2]'],
    ['%d', [[1, 2]], '[1 2]'],
    ['%5d', [[1, 2]], '[    1     2]'],
    ['%s', [['a', 'b']], '[a b]'],
    ['%q', [['a', 'b']], '["a" "b"]'],
    ['%x', [['hi', 'yo']], '[6869 796f]'],
    ['%v', [{ b: 2, a: 1 }], 'map[a:1 b:2]'],
    ['%v', [new Map<number, string>([[10, 'x'], [2, 'y']])], 'map[2:y 10:x]'],
    ['%v', [{ Name: 'x', Age: 3 }], '{x 3}'],
    ['%+v', [{ Name: 'x', Age: 3 }], '{Name:x Age:3}'],
    ['%v', [{ Name: 'x', Inner: { A: [1] }, P: null }], '{x {[1]} <nil>}'],
    ['%v', [[{ A: 1 }, null]], '[{1} <nil>]'],
    ['%#v', ['x'], '"x"'],
    ['%#v', [['a']], '[]string{"a"}'],
    ['%v', [new Error('bad')], 'bad'],
    // errors in the format
    ['%d', ['x'], '%!d(string=x)'],
    ['%s', [5], '%!s(int=5)'],
    ['%d', [1.5], '%!d(float64=1.5)'],
    ['%t', ['x'], '%!t(string=x)'],
    ['%5s', [3], '%!s(int=    3)'],
    ['%z', [1], '%!z(int=1)'],
    ['%d', [], '%!d(MISSING)'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%s', ['a', 2, 'b'], 'a%!(EXTRA int=2, string=b)'],
    ['%', [], '%!(NOVERB)'],
    ['%-', [1], '%!(NOVERB)%!(EXTRA int=1)'],
    // argument indexes, * width and precision
    ['%[2]d %[1]d', [1, 2], '2 1'],
    ['%[2]d %d', [1, 2, 3], '2 3'],
    ['%[3]d', [1, 2], '%!d(BADINDEX)'],
    ['%*d|', [5, 42], '   42|'],
    ['%-*d|', [5, 42], '42   |'],
    ['%*d|', [-5, 42], '42   |'],
    ['%.*f', [2, 3.14159], '3.14'],
    ['%*d', ['x', 42], '%!(BADWIDTH)42'],
    ['%.*d', ['x', 42], '%!(BADPREC)42'],
  ])('%s %o', (format, args, want) => {
    expect(sprintf(format, args)).toBe(want);
  });
});

describe('sprint and sprintln', () => {
  it.each<[unknown[], string, string]>([
    [['a', 'b'], 'ab', 'a b\n'],
    [[1, 2], '1 2', '1 2\n'],
    [['a', 1, 2, 'b', true], 'a1 2btrue', 'a 1 2 b true\n'],
    [[null, 1], '<nil> 1', '<nil> 1\n'],
    [[], '', '\n'],
    [[['x'], { K: 'v' }], '[x] {v}', '[x] {v}\n'],
  ])('%j', (args, want, wantLn) => {
    expect(sprint(args)).toBe(want);
    expect(sprintln(args)).toBe(wantLn);
  });
});

describe('strconv', () => {
  it.each<[string, string]>([
    ['abc', '"abc"'],
    ['a\\b', '"a\\\\b"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u{1F600}', '"😀"'],
    ['\u200b', '"\\u200b"'],
    ['\0', '"\\x00"'],
  ])('quote %j', (s, want) => {
    expect(quote(s)).toBe(want);
  });

  it.each<[number, string, number, string]>([
    [123.456, 'f', 1, '123.5'],
    [123.456, 'e', 2, '1.23e+02'],
    [0.000001, 'g', -1, '1e-06'],
    [123456, 'g', -1, '123456'],
    [1234567, 'g', -1, '1.234567e+06'],
    [9.995, 'f', 2, '9.99'],
    [9.9951, 'f', 2, '10.00'],
    [5e-324, 'g', -1, '5e-324'],
    [1.7976931348623157e308, 'g', -1, '1.7976931348623157e+308'],
  ])('formatFloat(%d, %s, %d)', (v, fmt, prec, want) => {
    expect(formatFloat(v, fmt, prec)).toBe(want);
  });
});

describe('goJson', () => {
  it('escapes HTML characters unless told not to, and U+2028/U+2029 always', () => {
    const v = { S: '<a href="x">&</a>\u2028\u2029' };
    expect(goJson(v)).toBe('{"S":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\u2029"}');
    expect(goJson(v, { escapeHTML: false })).toBe('{"S":"<a href=\\"x\\">&</a>\\u2028\\u2029"}');
  });

  it('escapes control characters as Go does', () => {
    expect(goJson('\b\f\n\r\t\x01\x1f"\\')).toBe('"\\b\\f\\n\\r\\t\\u0001\\u001f\\"\\\\"');
  });

  it('sorts map keys and keeps struct fields in order', () => {
    expect(goJson({ Z: 1, A: 2, Labels: { b: '1', a: '2' } })).toBe('{"Z":1,"A":2,"Labels":{"a":"2","b":"1"}}');
    expect(goJson(asGoMap({ Z: 1, A: 2 }))).toBe('{"A":2,"Z":1}');
    expect(goJson(new Map([['b', 1], ['a', 2]]))).toBe('{"a":2,"b":1}');
  });

  it('indents like json.MarshalIndent', () => {
    const v = [{ Id: 'x', Names: ['a'], Empty: [], Obj: {}, N: null, Ok: true }];
    expect(goJson(v, { indent: '    ' })).toBe(
      [
        '[',
        '    {',
        '        "Id": "x",',
        '        "Names": [',
        '            "a"',
        '        ],',
        '        "Empty": [],',
        '        "Obj": {},',
        '        "N": null,',
        '        "Ok": true',
        '    }',
        ']',
      ].join('\n'),
    );
    expect(goJson([], { indent: '  ' })).toBe('[]');
  });

  it('writes numbers, times, bigints, toJSON() and skips undefined fields', () => {
    expect(goJson([1, 1.5, 1e21, 1e-7, 12345678901234567890n])).toBe('[1,1.5,1e+21,1e-7,12345678901234567890]');
    expect(goJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 600)))).toBe('"2024-01-02T03:04:05.6Z"');
    expect(goJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('"2024-01-02T03:04:05Z"');
    const view = { Host: 'x' };
    Object.defineProperty(view, 'toJSON', { value: () => ({ host: 'x' }), enumerable: false });
    expect(goJson({ V: view })).toBe('{"V":{"host":"x"}}');
    expect(goJson({ A: undefined, B: 1, F: () => 1 })).toBe('{"B":1}');
    expect(goJson(undefined)).toBe('null');
    expect(goJson([undefined])).toBe('[null]');
  });
});
