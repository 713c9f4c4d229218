import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReference, parseReference } from '../../../src/registry/reference.js';
import { loadRegistriesConf, type RegistriesConf } from '../../../src/registry/registries-conf.js';
import {
  ShortNameError,
  aliasCachePath,
  localCandidates,
  promptForImage,
  recordShortNameAlias,
  removeShortNameAlias,
  resolveShortName,
  type ShortNameOptions,
} from '../../../src/registry/shortnames.js';

const D = `sha256:${'c'.repeat(64)}`;
let dir: string;
let cache: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsc-shortnames-'));
  cache = join(dir, 'cache', 'containers', 'short-name-aliases.conf');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function conf(text: string): Promise<RegistriesConf> {
  return loadRegistriesConf({ paths: { file: put(join(dir, 'registries.conf'), text) } });
}

const SEARCH = `unqualified-search-registries = ["registry.fedoraproject.org", "quay.io", "docker.io"]
[aliases]
fedora = "registry.fedoraproject.org/fedora"
"ns/tool" = "quay.io/ns/tool"
`;

function opts(extra: ShortNameOptions = {}): ShortNameOptions {
  return { aliasCachePath: cache, isTTY: false, ...extra };
}

const names = (refs: { domain: string; path: string; tag?: string; digest?: string }[]) => refs.map((r) => formatReference(r));

describe('resolveShortName', () => {
  it.each<[string, string]>([
    ['quay.io/x', 'quay.io/x:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/user/x:2', 'docker.io/user/x:2'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/a/b:c', 'localhost:5000/a/b:c'],
    [`quay.io/x@${D}`, `quay.io/x@${D}`],
  ])('a fully qualified %s is itself (%s)', async (input, want) => {
    const r = await resolveShortName(await conf(SEARCH), input, opts());
    expect(names(r.candidates)).toEqual([want]);
    expect(r.rationale).toBe('fully-qualified');
    expect(r.description).toBeUndefined();
    expect(r.needsPrompt).toBe(false);
  });

  it.each<[string, string]>([
    ['fedora', 'registry.fedoraproject.org/fedora:latest'],
    ['fedora:38', 'registry.fedoraproject.org/fedora:38'],
    [`fedora@${D}`, `registry.fedoraproject.org/fedora@${D}`],
    [`fedora:38@${D}`, `registry.fedoraproject.org/fedora:38@${D}`],
    ['ns/tool:1', 'quay.io/ns/tool:1'],
  ])('an alias: %s → %s', async (input, want) => {
    const r = await resolveShortName(await conf(SEARCH), input, opts({ isTTY: true, mode: 'enforcing' }));
    expect(names(r.candidates)).toEqual([want]);
    expect(r.rationale).toBe('alias');
    expect(r.origin).toBe(join(dir, 'registries.conf'));
    expect(r.description).toBe(`Resolved "${input.split(/[:@]/)[0]}" as an alias (${join(dir, 'registries.conf')})`);
    expect(r.needsPrompt).toBe(false);
  });

  it('search registries give one candidate each, in order; docker.io adds library/', async () => {
    const r = await resolveShortName(await conf(SEARCH), 'alpine:3.19', opts());
    expect(names(r.candidates)).toEqual([
      'registry.fedoraproject.org/alpine:3.19',
      'quay.io/alpine:3.19',
      'docker.io/library/alpine:3.19',
    ]);
    expect(r.rationale).toBe('search-registries');
    expect(r.shortName).toBe('alpine');
    expect(r.description).toBe(`Resolving "alpine" using unqualified-search registries (${join(dir, 'registries.conf')})`);
  });

  it('two-component short names are not given library/', async () => {
    const r = await resolveShortName(await conf('unqualified-search-registries = ["docker.io"]\n'), `user/x@${D}`, opts());
    expect(names(r.candidates)).toEqual([`docker.io/user/x@${D}`]);
  });

  it('no alias and no search registries: Podman’s error, naming the file', async () => {
    const c = await conf('[aliases]\nother = "quay.io/other"\n');
    const err = await resolveShortName(c, 'alpine:3', opts()).catch((e) => e);
    expect(err).toBeInstanceOf(ShortNameError);
    expect(err.message).toBe(
      `short-name "alpine:3" did not resolve to an alias and no unqualified-search registries are defined in "${join(dir, 'registries.conf')}"`,
    );
    expect(err.exitCode).toBe(125);
    expect(err.code).toBe('TSC_ERR_SHORT_NAME');
  });

  it('no registries.conf at all: the other Podman error', async () => {
    const c = await loadRegistriesConf({ env: {}, home: join(dir, 'h'), systemDir: join(dir, 'etc') });
    await expect(resolveShortName(c, 'alpine', opts())).rejects.toThrow(
      'short-name "alpine" did not resolve to an alias and no containers-registries.conf(5) was found',
    );
  });

  it('names the drop-in that emptied the search list', async () => {
    const main = put(join(dir, 'm.conf'), 'unqualified-search-registries = ["docker.io"]\n');
    const drop = put(join(dir, 'd', '99-none.conf'), 'unqualified-search-registries = []\n');
    const c = await loadRegistriesConf({ paths: { file: main, dropInDirs: [join(dir, 'd')] } });
    await expect(resolveShortName(c, 'x', opts())).rejects.toThrow(`are defined in "${drop}"`);
  });

  it('invalid input is an invalid-reference error', async () => {
    await expect(resolveShortName(await conf(SEARCH), 'Alpine', opts())).rejects.toThrow(
      'invalid reference "Alpine": repository name must be lowercase',
    );
  });

  describe('short-name-mode', () => {
    const TWO = 'unqualified-search-registries = ["quay.io", "docker.io"]\n';
    it.each<[string, boolean, string[] | string, boolean]>([
      ['permissive', false, ['quay.io/x:latest', 'docker.io/library/x:latest'], false],
      ['permissive', true, ['quay.io/x:latest', 'docker.io/library/x:latest'], true],
      ['disabled', false, ['quay.io/x:latest', 'docker.io/library/x:latest'], false],
      ['disabled', true, ['quay.io/x:latest', 'docker.io/library/x:latest'], false],
      ['enforcing', true, ['quay.io/x:latest', 'docker.io/library/x:latest'], true],
      ['enforcing', false, 'short-name resolution enforced but cannot prompt without a TTY', false],
    ])('%s, tty=%s', async (mode, tty, want, prompt) => {
      const c = await conf(`${TWO}short-name-mode = "${mode}"\n`);
      if (typeof want === 'string') {
        await expect(resolveShortName(c, 'x', opts({ isTTY: tty }))).rejects.toThrow(want);
        return;
      }
      const r = await resolveShortName(c, 'x', opts({ isTTY: tty }));
      expect(names(r.candidates)).toEqual(want);
      expect(r.needsPrompt).toBe(prompt);
    });

    it('one candidate never needs a prompt, even when enforcing without a TTY', async () => {
      const c = await conf('unqualified-search-registries = ["docker.io"]\nshort-name-mode = "enforcing"\n');
      const r = await resolveShortName(c, 'x', opts({ isTTY: false }));
      expect(names(r.candidates)).toEqual(['docker.io/library/x:latest']);
    });

    it('the unset mode is permissive; an option overrides the file', async () => {
      const c = await conf(TWO);
      expect(c.shortNameMode).toBe('permissive');
      await expect(resolveShortName(c, 'x', opts({ mode: 'enforcing' }))).rejects.toThrow(/enforced/);
    });
  });

  describe('the alias cache', () => {
    it('wins over registries.conf', async () => {
      put(cache, '[aliases]\nfedora = "quay.io/fedora/fedora"\n');
      const r = await resolveShortName(await conf(SEARCH), 'fedora', opts());
      expect(names(r.candidates)).toEqual(['quay.io/fedora/fedora:latest']);
      expect(r.origin).toBe(cache);
    });

    it('an empty value there hides the alias of registries.conf', async () => {
      put(cache, '[aliases]\nfedora = ""\n');
      const r = await resolveShortName(await conf(SEARCH), 'fedora', opts());
      expect(r.rationale).toBe('search-registries');
      expect(names(r.candidates)[0]).toBe('registry.fedoraproject.org/fedora:latest');
    });

    it('a broken cache is an error naming it', async () => {
      put(cache, '[aliases]\nfedora = "fedora"\n');
      await expect(resolveShortName(await conf(SEARCH), 'fedora', opts())).rejects.toThrow(
        `${cache}: loading short-name aliases: invalid alias "fedora": must contain registry and repository`,
      );
      put(cache, '[aliases\n');
      await expect(resolveShortName(await conf(SEARCH), 'fedora', opts())).rejects.toThrow(new RegExp(`^${cache}:1: loading short-name aliases`));
    });

    it('records a choice (tag dropped) with mode 0600, and removes it', async () => {
      const c = await conf('unqualified-search-registries = ["quay.io", "docker.io"]\n');
      await recordShortNameAlias('x', parseReference('docker.io/library/x:1.2'), opts());
      expect(statSync(cache).mode & 0o777).toBe(0o600);
      expect(readFileSync(cache, 'utf8')).toContain('x = "docker.io/library/x"');
      const r = await resolveShortName(c, 'x:3', opts({ isTTY: true }));
      expect(names(r.candidates)).toEqual(['docker.io/library/x:3']);
      expect(r.rationale).toBe('alias');
      expect(r.needsPrompt).toBe(false);

      // Other entries are kept.
      await recordShortNameAlias('ns/y', parseReference('quay.io/ns/y'), opts());
      expect(readFileSync(cache, 'utf8')).toMatch(/x = "docker.io\/library\/x"/);
      await removeShortNameAlias('x', opts());
      const after = readFileSync(cache, 'utf8');
      expect(after).not.toMatch(/^x =/m);
      expect(after).toContain('"ns/y" = "quay.io/ns/y"');
      await expect(removeShortNameAlias('x', opts())).rejects.toThrow(`short-name alias "x" not found in "${cache}"`);
    });

    it('refuses to record what is not a short name', async () => {
      await expect(recordShortNameAlias('quay.io/x', parseReference('quay.io/x'), opts())).rejects.toThrow(
        'invalid short name "quay.io/x": must not contain registry',
      );
      await expect(recordShortNameAlias('x:1', parseReference('quay.io/x'), opts())).rejects.toThrow('must not contain tag');
    });

    it('lives under XDG_CACHE_HOME or ~/.cache for users, /var/cache for root', () => {
      expect(aliasCachePath({ env: { XDG_CACHE_HOME: '/c', _CONTAINERS_ROOTLESS_UID: '1000' } })).toBe(
        '/c/containers/short-name-aliases.conf',
      );
      expect(aliasCachePath({ env: { _CONTAINERS_ROOTLESS_UID: '1000' }, home: '/home/u' })).toBe(
        '/home/u/.cache/containers/short-name-aliases.conf',
      );
      expect(aliasCachePath({ env: { _CONTAINERS_ROOTLESS_UID: '0' } })).toBe('/var/cache/containers/short-name-aliases.conf');
    });
  });
});

describe('localCandidates', () => {
  it('alias, then localhost, then the search registries', async () => {
    const c = await conf(SEARCH);
    expect(names(await localCandidates(c, 'fedora:38', opts()))).toEqual([
      'registry.fedoraproject.org/fedora:38',
      'localhost/fedora:38',
      'registry.fedoraproject.org/fedora:38',
      'quay.io/fedora:38',
      'docker.io/library/fedora:38',
    ]);
    expect(names(await localCandidates(c, 'myimg', opts()))).toEqual([
      'localhost/myimg:latest',
      'registry.fedoraproject.org/myimg:latest',
      'quay.io/myimg:latest',
      'docker.io/library/myimg:latest',
    ]);
  });

  it('a fully qualified name is only itself', async () => {
    expect(names(await localCandidates(await conf(SEARCH), 'docker.io/alpine', opts()))).toEqual(['docker.io/library/alpine:latest']);
  });

  it('works without search registries', async () => {
    expect(names(await localCandidates(await conf(''), `x@${D}`, opts()))).toEqual([`localhost/x@${D}`]);
  });
});

describe('promptForImage', () => {
  const cands = [parseReference('quay.io/x:latest'), parseReference('docker.io/library/x:latest')];

  it('lists the candidates and asks again until the answer is a valid number', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (b) => (shown += b.toString()));
    const p = promptForImage(cands, { input, output });
    input.write('zero\n3\n 2 \n');
    const chosen = await p;
    expect(formatReference(chosen)).toBe('docker.io/library/x:latest');
    expect(shown).toContain('Please select an image');
    expect(shown).toContain('1) quay.io/x:latest');
    expect(shown).toContain('2) docker.io/library/x:latest');
    expect(shown.match(/Enter a number \[1-2\]/g)).toHaveLength(3);
  });

  it('fails when the input ends first', async () => {
    const input = new PassThrough();
    const p = promptForImage(cands, { input, output: new PassThrough() });
    input.end('9\n');
    await expect(p).rejects.toThrow('no image was selected');
  });
});
