/**
 * Go text/template semantics. Every expectation is what Go's text/template prints for the
 * equivalent Go data (structs for objects with exported-looking keys, map[string]string for
 * the label-like objects, slices for arrays).
 */
import { describe, expect, it } from 'vitest';
import { asGoMap, asGoStruct, compileTemplate, TemplateError } from '../../../src/ui/format.js';

class Reporter {
  constructor(private readonly labels: Record<string, string>) {}
  Label(key: string): string {
    return this.labels[key] ?? '';
  }
  get ID(): string {
    return '0123456789ab';
  }
  Fail(): string {
    throw new Error('boom');
  }
}

const data = {
  Name: 'web',
  ID: 'abc',
  Labels: { b: '2', a: '1' },
  List: ['a', 'b', 'c'],
  Ints: [1, 2, 3],
  Empty: [] as string[],
  Matrix: [['a', 'b'], ['c']],
  N: 3,
  Zero: 0,
  F: 1.5,
  Small: 0.00001,
  Mill: 1234567.5,
  B: true,
  Nil: null,
  Str: '',
  Nested: { A: { B: 'deep' } },
  Items: [{ Name: 'i0' }, { Name: 'i1' }],
  Ports: { '80/tcp': [{ HostPort: '8080' }] },
  Label: (k: string) => ({ a: 'A', b: 'B' })[k] ?? '',
  Greet: (a: string, b: string) => `${a}+${b}`,
  Func: (x: number) => x * 2,
};

function run(src: string, d: unknown = data): string {
  return compileTemplate(src)(d);
}

function err(src: string, d: unknown = data): string {
  try {
    run(src, d);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${src}`);
}

describe('fields and printing', () => {
  it.each([
    ['{{.Name}}', 'web'],
    ['{{ .Name }}', 'web'],
    ['{{.Nested.A.B}}', 'deep'],
    ['{{.Nested}}', '{{deep}}'],
    ['{{.Labels.a}}', '1'],
    ['{{.Labels.zz}}', '<no value>'],
    ['{{.Labels}}', 'map[a:1 b:2]'],
    ['{{.List}}', '[a b c]'],
    ['{{.Ints}}', '[1 2 3]'],
    ['{{.Empty}}', '[]'],
    ['{{.Matrix}}', '[[a b] [c]]'],
    ['{{.Items}}', '[{i0} {i1}]'],
    ['{{.N}}', '3'],
    ['{{.F}}', '1.5'],
    ['{{.Small}}', '1e-05'],
    ['{{.Mill}}', '1.2345675e+06'],
    ['{{.B}}', 'true'],
    ['{{.Nil}}', '<nil>'],
    ['{{.Nil.X}}', '<no value>'],
    ['{{.Labels.zz.Deeper}}', '<no value>'],
    ['{{.Str}}', ''],
    ['{{.Ports}}', 'map[80/tcp:[{8080}]]'],
    ['{{index .Ports "80/tcp"}}', '[{8080}]'],
    ['{{(index (index .Ports "80/tcp") 0).HostPort}}', '8080'],
    ['text only', 'text only'],
    ['', ''],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });

  it('prints dot and $ as the data', () => {
    expect(run('{{.}}', 'x')).toBe('x');
    expect(run('{{$}}', 42)).toBe('42');
    expect(run('{{ $ }}|{{ . }}', 'x')).toBe('x|x');
    expect(run('{{.}}', { b: 2, a: 1 })).toBe('map[a:1 b:2]');
    expect(run('{{.}}', { Z: 1, A: 'x' })).toBe('{1 x}');
    expect(run('{{.}}', [true, false])).toBe('[true false]');
    expect(compileTemplate('{{.}}')(undefined)).toBe('<no value>');
    expect(run('{{.}}', null)).toBe('<nil>');
    expect(run('{{.}}', new Map([['k', 'v']]))).toBe('map[k:v]');
    expect(run('{{.}}', 12345678901234567890n)).toBe('12345678901234567890');
  });

  it('treats marked objects as maps or structs', () => {
    const labels = asGoMap({ Version: '1' });
    expect(run('{{.L.Missing}}|{{.L}}', { L: labels })).toBe('<no value>|map[Version:1]');
    const empty = asGoStruct({});
    expect(run('{{.}}', empty)).toBe('{}');
    expect(run('{{.}}', {})).toBe('map[]');
  });

  it('calls methods with arguments', () => {
    expect(run('{{.Label "a"}}{{.Label "b"}}{{.Label "z"}}')).toBe('AB');
    expect(run('{{"a" | .Label}}')).toBe('A');
    expect(run('{{.Greet "x" .Name}}')).toBe('x+web');
    expect(run('{{.Func 21}}')).toBe('42');
    const r = new Reporter({ app: 'db' });
    expect(run('{{.ID}} {{.Label "app"}}', r)).toBe('0123456789ab db');
    expect(run('{{range .}}{{.Label "app"}};{{end}}', [r, new Reporter({})])).toBe('db;;');
  });
});

describe('literals', () => {
  it.each([
    ['{{"a\\tb"}}', 'a\tb'],
    ['{{`a\\tb`}}', 'a\\tb'],
    ['{{"\\u00e9\\x41\\101"}}', 'éAA'],
    ["{{'a'}}", '97'],
    ["{{'\\n'}}", '10'],
    ['{{0x10}}', '16'],
    ['{{0o17}} {{017}}', '15 15'],
    ['{{0b101}}', '5'],
    ['{{1_000}}', '1000'],
    ['{{-5}}', '-5'],
    ['{{+7}}', '7'],
    ['{{1.5}}', '1.5'],
    ['{{.5}}', '0.5'],
    ['{{1e-7}}', '1e-07'],
    ['{{0x1p-2}}', '0.25'],
    ['{{true}} {{false}}', 'true false'],
    ['{{-3}}', '-3'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe('whitespace trimming and comments', () => {
  it.each([
    ['a  {{- .Name -}}  b', 'awebb'],
    ['a \n\t{{- .Name}} b', 'aweb b'],
    ['a {{.Name -}} \n\t b', 'a webb'],
    ['x {{/* comment */}} y', 'x  y'],
    ['x {{- /* comment */ -}} y', 'xy'],
    ['{{/* multi\nline */}}z', 'z'],
    ['{{- .Name}}', 'web'],
    ['{{if true -}}\n  yes\n{{- end}}', 'yes'],
  ])('%j', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe('control structures', () => {
  it.each([
    ['{{if .B}}yes{{end}}', 'yes'],
    ['{{if .Zero}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Str}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Empty}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Nil}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Labels.zz}}yes{{else}}no{{end}}', 'no'],
    ['{{if .Nested}}struct{{end}}', 'struct'],
    ['{{if eq .N 1}}one{{else if eq .N 3}}three{{else}}other{{end}}', 'three'],
    ['{{if eq .N 1}}one{{else if eq .N 2}}two{{else}}other{{end}}', 'other'],
    ['{{with .Nested.A}}{{.B}}{{end}}', 'deep'],
    ['{{with .Str}}x{{else}}empty{{end}}', 'empty'],
    ['{{with .Labels.zz}}x{{else with .Name}}{{.}}{{end}}', 'web'],
    ['{{range .List}}<{{.}}>{{end}}', '<a><b><c>'],
    ['{{range $i, $e := .List}}{{$i}}={{$e}} {{end}}', '0=a 1=b 2=c '],
    ['{{range $e := .List}}{{$e}}{{end}}', 'abc'],
    ['{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}', 'a:1;b:2;'],
    ['{{range .Labels}}{{.}}{{end}}', '12'],
    ['{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['{{range $x := .Empty}}x{{else}}{{$x}}{{end}}', '[]'],
    ['{{range .Nil}}x{{else}}nil{{end}}', 'nil'],
    ['{{range .Labels.zz}}x{{else}}missing{{end}}', 'missing'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range $i := 2}}[{{$i}}]{{end}}', '[0][1]'],
    ['{{range .List}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', 'a'],
    ['{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', 'ac'],
    ['{{range .Items}}{{.Name}},{{end}}', 'i0,i1,'],
    ['{{range .Matrix}}{{range .}}{{.}}{{end}}|{{end}}', 'ab|c|'],
    ['{{range $i, $row := .Matrix}}{{range $row}}{{$i}}{{.}}{{end}}{{end}}', '0a0b1c'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe('variables', () => {
  it.each([
    ['{{$x := .Name}}{{$x}}', 'web'],
    ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
    ['{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', '21'],
    ['{{with $x := .Name}}{{$x}}/{{.}}{{end}}', 'web/web'],
    ['{{range .List}}{{$.Name}}{{end}}', 'webwebweb'],
    ['{{$n := len .List}}{{$n}}', '3'],
    ['{{$x := .Nested}}{{$x.A.B}}', 'deep'],
    ['{{$i := 0}}{{range .List}}{{$i = .}}{{end}}{{$i}}', 'c'],
    ['{{range $i, $e := .List}}{{end}}{{$i := 5}}{{$i}}', '5'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe('pipelines and function calls', () => {
  it.each([
    ['{{.Name | upper}}', 'WEB'],
    ['{{.Name | printf "%s-%s" "x"}}', 'x-web'],
    ['{{"abc" | len}}', '3'],
    ['{{.List | len | printf "%03d"}}', '003'],
    ['{{printf "%d" (len .List)}}', '3'],
    ['{{(index .List 1)}}', 'b'],
    ['{{(index .Items 1).Name}}', 'i1'],
    ['{{(.Nested).A.B}}', 'deep'],
    ['{{$x := .Nested}}{{($x.A).B}}', 'deep'],
    ['{{eq .N 1 2 3}}', 'true'],
    ['{{eq .Name "web"}} {{ne .Name "web"}}', 'true false'],
    ['{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}', 'true true false false'],
    ['{{lt "a" "b"}} {{gt "b" "a"}}', 'true true'],
    ['{{eq .Labels.zz nil}}', 'true'],
    ['{{eq .Labels.zz "x"}}', 'false'],
    ['{{and 1 0 2}}', '0'],
    ['{{and 1 2}}', '2'],
    ['{{or 0 "" "x"}}', 'x'],
    ['{{or 0 ""}}', ''],
    ['{{or .Labels.zz "default"}}', 'default'],
    ['{{and .Labels.zz .Fail}}', '<no value>'],
    ['{{not .B}} {{not .Zero}}', 'false true'],
    ['{{len "héllo"}}', '6'],
    ['{{len .Labels}} {{len .Empty}}', '2 0'],
    ['{{index .List 1}}', 'b'],
    ['{{index .Matrix 1 0}}', 'c'],
    ['{{index .Labels "a"}}', '1'],
    ['{{index .Labels "zz"}}', ''],
    ['{{index "abc" 1}}', '98'],
    ['{{slice .List 1 2}}', '[b]'],
    ['{{slice .List 1}}', '[b c]'],
    ['{{slice .List}}', '[a b c]'],
    ['{{slice "hello" 1 3}}', 'el'],
    ['{{print 1 2}}', '1 2'],
    ['{{print "a" "b"}}', 'ab'],
    ['{{print "a" 1 2 "b" true}}', 'a1 2btrue'],
    ['{{println "a" 1}}', 'a 1\n'],
    ['{{print .Labels.zz}}', '<nil>'],
    ['{{printf "%v" nil}}', '<nil>'],
    ['{{printf "%s|%5s|%-5s|%d|%v|%q|%x|%t|%.2f" "a" "b" "c" 3 .List "q" 255 true 3.14159}}', 'a|    b|c    |3|[a b c]|"q"|ff|true|3.14'],
    ['{{printf "%d"}}', '%!d(MISSING)'],
    ['{{printf "%d" "x"}}', '%!d(string=x)'],
    ['{{printf "%s" 1 2}}', '%!s(int=1)%!(EXTRA int=2)'],
    ['{{html "<a href=\'x\'>&"}}', '&lt;a href=&#39;x&#39;&gt;&amp;'],
    ['{{js "it\'s <b>"}}', "it\\'s \\u003Cb\\u003E"],
    ['{{urlquery "a b&c/é"}}', 'a+b%26c%2F%C3%A9'],
    ['{{call .Func 4}}', '8'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe("Podman's functions", () => {
  it.each([
    ['{{join .List ", "}}', 'a, b, c'],
    ['{{join .Empty ","}}', ''],
    ['{{json .Labels}}', '{"a":"1","b":"2"}'],
    ['{{json .List}}', '["a","b","c"]'],
    ['{{json .Nested}}', '{"A":{"B":"deep"}}'],
    ['{{json .Nil}}', 'null'],
    ['{{json .N}} {{json .F}} {{json .B}}', '3 1.5 true'],
    ['{{json "<b>&\\u2028"}}', '"<b>&\\u2028"'],
    ['{{json .Labels.zz}}', 'null'],
    ['{{lower "ABC Déf"}}', 'abc déf'],
    ['{{upper "abc déf ß"}}', 'ABC DÉF ß'],
    ['{{title "hello world-foo bar_baz"}}', 'Hello World-Foo Bar_baz'],
    ['{{pad "x" 2 3}}|', '  x   |'],
    ['{{pad "" 2 3}}|', '|'],
    ['{{split "a,b,c" ","}}', '[a b c]'],
    ['{{split "abc" ""}}', '[a b c]'],
    ['{{index (split "a:b" ":") 1}}', 'b'],
    ['{{len (split "" ",")}}', '1'],
    ['{{truncate "abcdef" 3}}', 'abc'],
    ['{{truncate "ab" 5}}', 'ab'],
    ['{{truncate "abc" 3}}', 'abc'],
    ['{{truncate .Name 2}}', 'we'],
    ['{{join (split "a b" " ") "+"}}', 'a+b'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });

  it('passes the piped value as the last argument, as Go does', () => {
    expect(err('{{.Name | truncate 2}}')).toBe('template: output:1:19: executing "output" at <2>: expected string; found 2');
    expect(err('{{.List | join "-"}}')).toBe(
      'template: output:1:15: executing "output" at <"-">: can\'t handle "-" for arg of type []string',
    );
    expect(run('{{"abcdef" | printf "%.3s"}}')).toBe('abc');
  });
});

describe('define, template and block', () => {
  it.each([
    ['{{define "T"}}[{{.}}]{{end}}{{template "T" .Name}}', '[web]'],
    ['{{define "T"}}<{{.}}>{{end}}{{template "T"}}', '<<no value>>'],
    ['{{block "B" .N}}<{{.}}>{{end}}', '<3>'],
    ['{{define "T"}}{{$}}{{end}}{{range .List}}{{template "T" .}}{{end}}', 'abc'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });
});

describe('parse errors', () => {
  it.each([
    ['{{foo .}}', 'template: output:1: function "foo" not defined'],
    ['{{.Name', 'template: output:1: unclosed action'],
    ['{{.Name}', "template: output:1: bad character U+007D '}'"],
    ['{{.Name }', 'template: output:1: unexpected "}" in operand'],
    ['{{if .B}}x', 'template: output:1: unexpected EOF'],
    ['{{end}}', 'template: output:1: unexpected {{end}}'],
    ['{{else}}', 'template: output:1: unexpected {{else}}'],
    ['{{$x}}', 'template: output:1: undefined variable "$x"'],
    ['{{with .Name}}{{$y := .}}{{end}}{{$y}}', 'template: output:1: undefined variable "$y"'],
    ['{{.Name | 3}}', 'template: output:1: non executable command in pipeline stage 2'],
    ['{{}}', 'template: output:1: missing value for command'],
    ['{{break}}', 'template: output:1: {{break}} outside {{range}}'],
    ['{{"abc}}', 'template: output:1: unterminated quoted string'],
    ['{{`abc}}', 'template: output:1: unterminated raw quoted string'],
    ["{{'ab'}}", 'template: output:1: malformed character constant: \'ab\''],
    ['{{/* x', 'template: output:1: unclosed comment'],
    ['{{/* x */ }}', 'template: output:1: comment ends before closing delimiter'],
    ['{{(.Name}}', 'template: output:1: unclosed left paren'],
    ['{{.Name)}}', 'template: output:1: unexpected right paren'],
    ['{{.Name-x}}', "template: output:1: bad character U+002D '-'"],
    ['{{3x}}', 'template: output:1: bad number syntax: "3x"'],
    ['{{1 | .Name}} {{#}}', 'template: output:1: unexpected "#" in command'],
    ['{{range $a, $b, $c := .List}}{{end}}', 'template: output:1: too many declarations in range'],
    ['{{if $x, $y := 1}}{{end}}', 'template: output:1: too many declarations in if'],
    ['{{if $x := 1, 2}}{{end}}', 'template: output:1: unexpected "," in operand'],
    ['{{"x".Foo}}', 'template: output:1: unexpected . after term "\\"x\\""'],
    ['line1\n{{.Name}}\n{{nope}}', 'template: output:3: function "nope" not defined'],
    ['{{if .B}}\n{{else}}\n{{else}}{{end}}', 'template: output:3: expected end; found {{else}}'],
    ['{{.Name\n.Foo', 'template: output:2: unclosed action started at output:1'],
    ['{{define "T"}}a{{end}}{{define "T"}}b{{end}}', 'template: output:1: template: multiple definition of template "T"'],
  ])('%j', (src, want) => {
    expect(err(src)).toBe(want);
  });
});

describe('execution errors', () => {
  it.each([
    ['{{.Foo}}', 'template: output:1:2: executing "output" at <.Foo>: can\'t evaluate field Foo in type struct'],
    ['{{.Nested.X}}', 'template: output:1:9: executing "output" at <.Nested.X>: can\'t evaluate field X in type struct'],
    ['{{.Name.X}}', 'template: output:1:7: executing "output" at <.Name.X>: can\'t evaluate field X in type string'],
    ['{{.List.X}}', 'template: output:1:7: executing "output" at <.List.X>: can\'t evaluate field X in type []string'],
    ['ab\ncd{{.Foo}}', 'template: output:2:4: executing "output" at <.Foo>: can\'t evaluate field Foo in type struct'],
    ['é{{.Foo}}', 'template: output:1:4: executing "output" at <.Foo>: can\'t evaluate field Foo in type struct'],
    ['{{upper}}', 'template: output:1:2: executing "output" at <upper>: wrong number of args for upper: want 1 got 0'],
    ['{{index}}', 'template: output:1:2: executing "output" at <index>: wrong number of args for index: want at least 1 got 0'],
    ['{{upper 3}}', 'template: output:1:8: executing "output" at <3>: expected string; found 3'],
    ['{{upper .N}}', 'template: output:1:8: executing "output" at <.N>: wrong type for value; expected string; got int'],
    ['{{upper .Labels.zz}}', 'template: output:1:15: executing "output" at <.Labels.zz>: invalid value; expected string'],
    ['{{truncate "abc" "x"}}', 'template: output:1:17: executing "output" at <"x">: expected integer; found "x"'],
    ['{{.Name "x"}}', 'template: output:1:2: executing "output" at <.Name>: Name has arguments but cannot be invoked as function'],
    ['{{.Labels.a "x"}}', 'template: output:1:9: executing "output" at <.Labels.a>: a is not a method but has arguments'],
    ['{{.Label}}', 'template: output:1:2: executing "output" at <.Label>: wrong number of args for Label: want 1 got 0'],
    ['{{nil}}', 'template: output:1:2: executing "output" at <nil>: nil is not a command'],
    ['{{3 4}}', 'template: output:1:2: executing "output" at <3>: can\'t give argument to non-function 3'],
    ['{{range .Name}}{{end}}', 'template: output:1:8: executing "output" at <.Name>: range can\'t iterate over web'],
    ['{{eq "a" 1}}', 'template: output:1:2: executing "output" at <eq "a" 1>: error calling eq: incompatible types for comparison: string and int'],
    ['{{lt true false}}', 'template: output:1:2: executing "output" at <lt true false>: error calling lt: invalid type for comparison'],
    ['{{eq .List .List}}', 'template: output:1:2: executing "output" at <eq .List .List>: error calling eq: non-comparable type [a b c]: []string'],
    ['{{index .List 5}}', 'template: output:1:2: executing "output" at <index .List 5>: error calling index: index out of range: 5'],
    ['{{index .List 3}}', 'template: output:1:2: executing "output" at <index .List 3>: error calling index: reflect: slice index out of range'],
    ['{{index .N 0}}', 'template: output:1:2: executing "output" at <index .N 0>: error calling index: can\'t index item of type int'],
    ['{{index .List "a"}}', 'template: output:1:2: executing "output" at <index .List "a">: error calling index: cannot index slice/array with type string'],
    ['{{slice .List 2 1}}', 'template: output:1:2: executing "output" at <slice .List 2 1>: error calling slice: invalid slice index: 2 > 1'],
    ['{{len .N}}', 'template: output:1:2: executing "output" at <len .N>: error calling len: len of type int'],
    ['{{len .Nil}}', 'template: output:1:2: executing "output" at <len .Nil>: error calling len: len of nil pointer'],
    ['{{truncate "abc" -1}}', 'template: output:1:2: executing "output" at <truncate "abc" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]'],
    ['{{pad "x" -1 0}}', 'template: output:1:2: executing "output" at <pad "x" -1 0>: error calling pad: strings: negative Repeat count'],
    ['{{template "X"}}', 'template: output:1:11: executing "output" at <{{template "X"}}>: template "X" not defined'],
    ['{{.Greet "a"}}', 'template: output:1:2: executing "output" at <.Greet>: wrong number of args for Greet: want 2 got 1'],
    ['{{range $i, $e := 3}}{{end}}', 'template: output:1:18: executing "output" at <3>: can\'t use 3 to iterate over more than one variable'],
  ])('%j', (src, want) => {
    expect(err(src)).toBe(want);
  });

  it('names the class of a struct and reports errors from methods', () => {
    const r = new Reporter({});
    expect(err('{{.Nope}}', r)).toBe(
      'template: output:1:2: executing "output" at <.Nope>: can\'t evaluate field Nope in type Reporter',
    );
    expect(err('{{.Fail}}', r)).toBe('template: output:1:2: executing "output" at <.Fail>: error calling Fail: boom');
    expect(err('{{.toString}}', r)).toBe(
      'template: output:1:2: executing "output" at <.toString>: can\'t evaluate field toString in type Reporter',
    );
  });

  it('uses the template name given', () => {
    expect(() => compileTemplate('{{foo}}', { name: 'ps' })).toThrow('template: ps:1: function "foo" not defined');
    expect(() => compileTemplate('{{.X}}', { name: 'inspect' })({ Y: 1 })).toThrow(
      'template: inspect:1:2: executing "inspect" at <.X>: can\'t evaluate field X in type struct',
    );
    // an empty object is a map: a missing key is not an error
    expect(compileTemplate('{{.X}}', { name: 'inspect' })({})).toBe('<no value>');
  });

  it('is a TscCtrError with exit status 125', () => {
    try {
      compileTemplate('{{foo}}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).exitCode).toBe(125);
      expect((e as TemplateError).code).toBe('TSC_ERR_TEMPLATE');
    }
  });
});

describe('compilation is reusable', () => {
  it('runs one compiled template on many items', () => {
    const f = compileTemplate('{{.ID}}:{{len .Names}};');
    const items = Array.from({ length: 1000 }, (_, i) => ({ ID: `c${i}`, Names: ['x'] }));
    const out = items.map(f).join('');
    expect(out.startsWith('c0:1;c1:1;')).toBe(true);
    expect(out.endsWith('c999:1;')).toBe(true);
  });
});
