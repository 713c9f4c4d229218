/**
 * Podman's --format rules (containers/common pkg/report): json detection, \t and \n unescaping,
 * the trailing newline, per-item execution, `table` headers and alignment, error messages.
 */
import { describe, expect, it } from 'vitest';
import {
  asGoMap,
  formatItems,
  formatOne,
  isJsonFormat,
  normalizeFormat,
  TemplateError,
} from '../../../src/ui/format.js';
import { camelSplit } from '../../../src/ui/template/values.js';

const ids = [
  { ID: 'c061a0839e', Value: 'one' },
  { ID: 'f10fc2e11057', Value: 'two' },
  { ID: '1eb6fab5aa8f4b5cbfd3e66aa35e9b2a', Value: 'three' },
];

describe('isJsonFormat', () => {
  it.each<[string, boolean]>([
    ['json', true],
    [' json ', true],
    ['\tjson\n', true],
    ['{{json}}', true],
    ['{{ json }}', true],
    ['{{json.}}', true],
    ['{{ json. }}', true],
    ['{{json .}}', false],
    ['{{ json . }}', false],
    ['JSON', false],
    ['jsonx', false],
    ['{{.ID}}', false],
    ['table json', false],
    ['', false],
  ])('%j → %s', (format, want) => {
    expect(isJsonFormat(format)).toBe(want);
  });
});

describe('normalizeFormat (report.NormalizeFormat)', () => {
  it.each<[string, string]>([
    ['{{.ID}}\t{{.ID}}', '{{.ID}}\t{{.ID}}\n'],
    ['{{.ID}}\\t{{.ID}}', '{{.ID}}\t{{.ID}}\n'],
    ['{{.ID}} {{.ID}}', '{{.ID}} {{.ID}}\n'],
    ['{{.ID}}\\n', '{{.ID}}\n'],
    ['{{.ID}}\n', '{{.ID}}\n'],
    ['table {{.ID}}\\t{{.ID}}', '{{.ID}}\t{{.ID}}\n'],
    ['table {{.ID}} {{.ID}}', '{{.ID}}\t{{.ID}}\n'],
    ['table {{.ID}}  {{.ID}}', '{{.ID}}\t\t{{.ID}}\n'],
    ['table {{ .ID}}', '{{\t.ID}}\n'],
    ['x\\\\t', 'x\\\t\n'],
  ])('%j', (format, want) => {
    expect(normalizeFormat(format)).toBe(want);
  });
});

describe('formatItems: JSON', () => {
  it('prints the whole list, indented by 4, HTML-escaped', () => {
    const out = formatItems('json', [{ Id: 'a', Cmd: ['sh', '-c', 'a && b'] }]);
    expect(out).toBe(
      '[\n    {\n        "Id": "a",\n        "Cmd": [\n            "sh",\n            "-c",\n            "a \\u0026\\u0026 b"\n        ]\n    }\n]\n',
    );
    expect(formatItems('{{ json }}', [])).toBe('[]\n');
  });

  it('prints jsonItems instead of the template items, with the indent and escaping asked for', () => {
    const out = formatItems('json', [{ ID: 'short' }], {
      jsonItems: [{ Id: 'long<id>' }],
      jsonIndent: '     ',
      escapeHTML: false,
    });
    expect(out).toBe('[\n     {\n          "Id": "long<id>"\n     }\n]\n');
    expect(formatItems('json', [{ A: 1 }], { jsonIndent: 2 })).toBe('[\n  {\n    "A": 1\n  }\n]\n');
  });
});

describe('formatItems: templates', () => {
  it('runs the template once per item and ends each with a newline', () => {
    expect(formatItems('{{.ID}}', ids)).toBe('c061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n');
    expect(formatItems('{{.ID}}\n', ids.slice(0, 1))).toBe('c061a0839e\n');
    expect(formatItems('{{.ID}}', [])).toBe('');
  });

  it('unescapes \\t and \\n and keeps real tabs (no alignment without table)', () => {
    expect(formatItems('{{.ID}}\\t{{.Value}}', ids.slice(0, 2))).toBe('c061a0839e\tone\nf10fc2e11057\ttwo\n');
    expect(formatItems('{{.ID}}\\n{{.Value}}', ids.slice(0, 1))).toBe('c061a0839e\none\n');
    expect(formatItems('{{.ID}} {{.Value}}', ids.slice(0, 1))).toBe('c061a0839e one\n');
  });

  it('runs a format with its own {{range .}} once on the whole list', () => {
    expect(formatItems('{{range .}}{{.ID}} {{end}}', ids)).toBe('c061a0839e f10fc2e11057 1eb6fab5aa8f4b5cbfd3e66aa35e9b2a \n');
    expect(formatItems('{{range .}}{{.ID}}\tID\n{{end}}', ids)).toBe(
      'c061a0839e\tID\nf10fc2e11057\tID\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\tID\n\n',
    );
    expect(formatItems('{{range .}}{{.ID}}{{end -}}', ids)).toBe('c061a0839ef10fc2e110571eb6fab5aa8f4b5cbfd3e66aa35e9b2a');
    expect(formatItems('{{len .ID}}', ids)).toBe('10\n12\n32\n');
  });

  it('uses the text as written when the unescaped text does not parse', () => {
    // Podman's regression test for bugzilla 2059658: "\n" inside a string literal
    expect(formatItems('{{range .}}{{printf "\\n"}}{{end -}}', ids)).toBe('\n\n\n');
    expect(formatItems('{{printf "%s\\n" .ID}}', ids.slice(0, 2))).toBe('c061a0839e\nf10fc2e11057\n');
  });

  it('reports template errors as TemplateError with Podman positions (inside {{range .}})', () => {
    const run = () => formatItems('{{.Foo}}', ids, { name: 'ps' });
    expect(run).toThrow(TemplateError);
    expect(run).toThrow('template: ps:1:13: executing "ps" at <.Foo>: can\'t evaluate field Foo in type struct');
    expect(() => formatItems('{{bogus .ID}}', ids, { name: 'images' })).toThrow(
      'template: images:1: function "bogus" not defined',
    );
    // the unescaped text (with its added newline) fails, so the error is that of the text as written
    expect(() => formatItems('{{.ID', ids)).toThrow("template: output:1: bad character U+007B '{'");
    expect(() => formatOne('{{.ID', ids[0])).toThrow('template: output:1: unclosed action');
    try {
      formatItems('{{.Foo}}', ids);
    } catch (e) {
      expect((e as TemplateError).exitCode).toBe(125);
    }
  });

  it('prints map fields of the items sorted, and <no value> for missing keys', () => {
    const items = [{ ID: 'a', Labels: asGoMap({ Zed: 'z', App: 'web' }) }];
    expect(formatItems('{{.Labels}} {{.Labels.App}} {{.Labels.Nope}}', items)).toBe('map[App:web Zed:z] web <no value>\n');
  });
});

describe('formatItems: table', () => {
  it('derives headers, aligns columns (containers/common TestFormatter_ParseTable)', () => {
    expect(formatItems('table {{.ID}}\t{{.Value}}', ids, { headers: { ID: 'Identity' } })).toBe(
      'IDENTITY                          VALUE\n' +
        'c061a0839e                        one\n' +
        'f10fc2e11057                      two\n' +
        '1eb6fab5aa8f4b5cbfd3e66aa35e9b2a  three\n',
    );
    expect(formatItems('table {{ .ID}}', ids)).toBe('ID\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n');
    expect(formatItems('table {{ .ID}}\\n', ids, { headers: { ID: 'Identity' } })).toBe(
      'IDENTITY\nc061a0839e\nf10fc2e11057\n1eb6fab5aa8f4b5cbfd3e66aa35e9b2a\n',
    );
    expect(formatItems('table {{printf "\\n"}}', ids)).toBe('\n\n\n\n');
  });

  it('turns spaces into column breaks and \\t into tabs', () => {
    const items = [{ Names: 'web', Status: 'Up 2 minutes' }];
    expect(formatItems('table {{.Names}} {{.Status}}', items)).toBe('NAMES       STATUS\nweb         Up 2 minutes\n');
    expect(formatItems('table {{.Names}}\\t{{.Status}}', items)).toBe('NAMES       STATUS\nweb         Up 2 minutes\n');
  });

  it('splits camel case in derived headers and upper-cases given ones', () => {
    const items = [{ CreatedAt: 'x', PodName: 'p', ID: 'i', HTTPPort: 1, RwSize: 2, Names: 'n' }];
    const out = formatItems('table {{.CreatedAt}} {{.PodName}} {{.ID}} {{.HTTPPort}} {{.RwSize}} {{.Names}}', items, {
      headers: { Names: 'names', PodName: 'podname' },
    });
    expect(out.split('\n')[0]).toBe('CREATED AT  PODNAME     ID          HTTP PORT   RW SIZE     NAMES');
  });

  it('evaluates the header row through the template: functions, if/else, chains, methods', () => {
    const items = [{ Repository: '', Tag: 'latest', Names: ['a', 'b'], Namespaces: { PIDNS: '4026' }, Label: (k: string) => k }];
    const out = formatItems(
      'table {{if .Repository}}{{.Repository}}{{else}}<none>{{end}} {{.Tag | lower}} {{join .Names ","}} {{.Namespaces.PIDNS}} {{.Label "x"}}',
      items,
      { headers: { PIDNS: 'pidns' } },
    );
    expect(out).toBe('REPOSITORY  tag         NAMES       PIDNS       LABEL\n<none>      latest      a,b         4026        x\n');
  });

  it('heads columns of ranges and map lookups by the names inside them', () => {
    const items = [{ Mounts: [{ Destination: '/data' }, { Destination: '/tmp' }], Labels: { app: 'web' } }];
    const out = formatItems('table {{range .Mounts}}{{.Destination}},{{end}}\t{{index .Labels "app"}}', items);
    expect(out).toBe('DESTINATION,  APP\n/data,/tmp,   web\n');
  });

  it('leaves the header out with noHeading and prints only it for no items', () => {
    expect(formatItems('table {{.ID}} {{.Value}}', ids.slice(0, 1), { noHeading: true })).toBe('c061a0839e  one\n');
    expect(formatItems('table {{.ID}} {{.Value}}', [], { headers: { ID: 'container id' } })).toBe('CONTAINER ID  VALUE\n');
  });

  it('renders a built-in row format as a table with table: true', () => {
    const rows = [
      { ID: '0123456789ab', Image: 'docker.io/library/alpine:latest', Names: 'web' },
      { ID: 'ba9876543210', Image: 'localhost/x:1', Names: 'db' },
    ];
    const out = formatItems('{{.ID}}\t{{.Image}}\t{{.Names}}', rows, {
      table: true,
      headers: { ID: 'CONTAINER ID' },
    });
    expect(out).toBe(
      'CONTAINER ID  IMAGE                            NAMES\n' +
        '0123456789ab  docker.io/library/alpine:latest  web\n' +
        'ba9876543210  localhost/x:1                    db\n',
    );
  });

  it('keeps Podman positions in table errors', () => {
    expect(() => formatItems('table {{.Nope}}', ids, { name: 'ps' })).toThrow(
      'template: ps:1:13: executing "ps" at <.Nope>: can\'t evaluate field Nope in type struct',
    );
  });
});

describe('formatOne', () => {
  const info = {
    Host: { Arch: 'amd64', Security: { Rootless: true } },
    Store: { GraphRoot: '/home/u/.local/share/containers/storage' },
    Registries: asGoMap({ search: ['docker.io', 'quay.io'] }),
  };

  it('prints the object as JSON', () => {
    expect(formatOne('json', { A: '<b>', N: 1 })).toBe('{\n    "A": "\\u003cb\\u003e",\n    "N": 1\n}\n');
    expect(formatOne('{{json}}', { A: 1 }, { jsonIndent: 2 })).toBe('{\n  "A": 1\n}\n');
  });

  it('runs the template on the object, with a newline', () => {
    expect(formatOne('{{.Host.Arch}}', info)).toBe('amd64\n');
    expect(formatOne('{{.Host.Security.Rootless}}', info)).toBe('true\n');
    expect(formatOne('{{.Host.Arch}}\\t{{.Store.GraphRoot}}', info)).toBe('amd64\t/home/u/.local/share/containers/storage\n');
    expect(formatOne('{{range .Registries.search}}{{.}} {{end}}', info)).toBe('docker.io quay.io \n');
    expect(formatOne('{{json .Host}}', info)).toBe('{"Arch":"amd64","Security":{"Rootless":true}}\n');
  });

  it('names errors after the command and places them without a range wrapper', () => {
    expect(() => formatOne('{{.Hots.Arch}}', info, { name: 'info' })).toThrow(
      'template: info:1:7: executing "info" at <.Hots.Arch>: can\'t evaluate field Hots in type struct',
    );
  });

  it('prints a table with a header row for a table format', () => {
    expect(formatOne('table {{.Host.Arch}} {{.Store.GraphRoot}}', info)).toBe(
      'ARCH        GRAPH ROOT\namd64       /home/u/.local/share/containers/storage\n',
    );
  });
});

describe('camelSplit (report/camelcase)', () => {
  it.each<[string, string[]]>([
    ['', ['']],
    ['lowercase', ['lowercase']],
    ['Class', ['Class']],
    ['MyClass', ['My', 'Class']],
    ['MyC', ['My', 'C']],
    ['HTML', ['HTML']],
    ['PDFLoader', ['PDF', 'Loader']],
    ['AString', ['A', 'String']],
    ['SimpleXMLParser', ['Simple', 'XML', 'Parser']],
    ['vimRPCPlugin', ['vim', 'RPC', 'Plugin']],
    ['GL11Version', ['GL', '11', 'Version']],
    ['99Bottles', ['99', 'Bottles']],
    ['May5', ['May', '5']],
    ['BFG9000', ['BFG', '9000']],
    ['BöseÜberraschung', ['Böse', 'Überraschung']],
    ['Two  spaces', ['Two', '  ', 'spaces']],
  ])('%j', (src, want) => {
    expect(camelSplit(src)).toEqual(want);
  });
});
