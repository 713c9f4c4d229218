import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReference, parseNormalizedReference, parseReference } from '../../../src/registry/reference.js';
import {
  RegistriesConfError,
  RegistryBlockedError,
  dropInFiles,
  findRegistry,
  isInsecureRegistry,
  loadRegistriesConf,
  parseRegistriesConf,
  pullSources,
  refMatchingPrefix,
  registriesConfPaths,
  type RegistriesConf,
} from '../../../src/registry/registries-conf.js';
import { registriesConf as harnessConf } from '../../harness/registries-conf.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsc-regconf-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function loadText(text: string): Promise<RegistriesConf> {
  return loadRegistriesConf({ paths: { file: put('registries.conf', text) } });
}

async function loadError(text: string, opts: { dropIn?: boolean } = {}): Promise<RegistriesConfError> {
  try {
    await parseRegistriesConf(text, '/x/registries.conf', opts);
  } catch (err) {
    expect(err).toBeInstanceOf(RegistriesConfError);
    return err as RegistriesConfError;
  }
  throw new Error('expected an error');
}

describe('registriesConfPaths: Podman 4.3.1 search order', () => {
  it('$CONTAINERS_REGISTRIES_CONF replaces the main file; both drop-in dirs are still read', () => {
    const home = join(dir, 'home');
    put('home/.config/containers/registries.conf', '');
    const p = registriesConfPaths({ env: { CONTAINERS_REGISTRIES_CONF: '/tmp/r.conf' }, home, systemDir: '/sys/c' });
    expect(p).toEqual({
      file: '/tmp/r.conf',
      dropInDirs: ['/sys/c/registries.conf.d', join(home, '.config/containers/registries.conf.d')],
      fileMustExist: true,
    });
  });

  it('$REGISTRIES_CONFIG_PATH is the older name of the same thing', () => {
    expect(registriesConfPaths({ env: { REGISTRIES_CONFIG_PATH: '/old.conf' }, home: dir }).file).toBe('/old.conf');
    expect(
      registriesConfPaths({ env: { CONTAINERS_REGISTRIES_CONF: '/new.conf', REGISTRIES_CONFIG_PATH: '/old.conf' }, home: dir }).file,
    ).toBe('/new.conf');
  });

  it('a user registries.conf is used alone with the user drop-in dir', () => {
    const home = join(dir, 'home');
    const f = put('home/.config/containers/registries.conf', '');
    expect(registriesConfPaths({ env: {}, home, systemDir: '/sys/c' })).toEqual({
      file: f,
      dropInDirs: [join(home, '.config/containers/registries.conf.d')],
      fileMustExist: false,
    });
  });

  it('otherwise the system file, the system drop-ins, then the user drop-ins', () => {
    const home = join(dir, 'nohome');
    expect(registriesConfPaths({ env: {}, home })).toEqual({
      file: '/etc/containers/registries.conf',
      dropInDirs: ['/etc/containers/registries.conf.d', join(home, '.config/containers/registries.conf.d')],
      fileMustExist: false,
    });
  });
});

describe('loadRegistriesConf', () => {
  it('no file at all: empty, permissive, auth files as the only credential helper', async () => {
    const conf = await loadRegistriesConf({ env: {}, home: join(dir, 'h'), systemDir: join(dir, 'etc') });
    expect(conf.registries).toEqual([]);
    expect(conf.unqualifiedSearchRegistries).toEqual([]);
    expect(conf.unqualifiedSearchRegistriesOrigin).toBe('');
    expect(conf.shortNameMode).toBe('permissive');
    expect(conf.credentialHelpers).toEqual(['containers-auth.json']);
    expect(conf.files).toEqual([]);
  });

  it('a file named by the environment must exist', async () => {
    const missing = join(dir, 'missing.conf');
    await expect(loadRegistriesConf({ env: { CONTAINERS_REGISTRIES_CONF: missing }, home: dir })).rejects.toThrow(
      `${missing}: loading registries configuration: no such file or directory`,
    );
  });

  it('reads the keys of a v2 file', async () => {
    const conf = await loadText(`
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io/"]
short-name-mode = "enforcing"
credential-helpers = ["pass", "containers-auth.json"]

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"ubi8/ubi" = "registry.access.redhat.com/ubi8/ubi"
"alpine" = "docker.io/alpine"

[[registry]]
prefix = "example.com/foo"
location = "mirror.example.com:5000/bar/"
insecure = true
mirror-by-digest-only = true

[[registry.mirror]]
location = "m1.example.com"
insecure = true

[[registry]]
location = "blocked.io"
blocked = true
`);
    expect(conf.unqualifiedSearchRegistries).toEqual(['registry.fedoraproject.org', 'docker.io']);
    expect(conf.unqualifiedSearchRegistriesOrigin).toBe(join(dir, 'registries.conf'));
    expect(conf.shortNameMode).toBe('enforcing');
    expect(conf.credentialHelpers).toEqual(['pass', 'containers-auth.json']);
    expect(conf.registries.map((r) => r.prefix)).toEqual(['blocked.io', 'example.com/foo']);
    expect(conf.registries[1]).toEqual({
      prefix: 'example.com/foo',
      location: 'mirror.example.com:5000/bar',
      insecure: true,
      blocked: false,
      mirrorByDigestOnly: true,
      mirrors: [{ location: 'm1.example.com', insecure: true }],
      origin: join(dir, 'registries.conf'),
    });
    expect(conf.registries[0]!.blocked).toBe(true);
    expect(formatReference(conf.aliases.get('fedora')!.value!)).toBe('registry.fedoraproject.org/fedora');
    expect(formatReference(conf.aliases.get('ubi8/ubi')!.value!)).toBe('registry.access.redhat.com/ubi8/ubi');
    // Alias values are normalised.
    expect(formatReference(conf.aliases.get('alpine')!.value!)).toBe('docker.io/library/alpine');
  });

  it('the first entry for a prefix in one file wins, and entries are sorted by prefix', async () => {
    const conf = await loadText(`
[[registry]]
prefix = "z.io"
location = "first.z.io"
[[registry]]
location = "a.io"
[[registry]]
prefix = "z.io"
location = "second.z.io"
`);
    expect(conf.registries.map((r) => [r.prefix, r.location])).toEqual([
      ['a.io', 'a.io'],
      ['z.io', 'first.z.io'],
    ]);
  });

  it('an empty prefix defaults to the location', async () => {
    const conf = await loadText('[[registry]]\nlocation = "empty-prefix.com"\nprefix = ""\n');
    expect(conf.registries[0]!.prefix).toBe('empty-prefix.com');
  });

  describe('drop-ins', () => {
    async function loadWithDropIns(): Promise<RegistriesConf> {
      const main = put(
        'etc/registries.conf',
        `unqualified-search-registries = ["a.io"]
short-name-mode = "enforcing"
[aliases]
keep = "keep.io/keep"
reset = "reset.io/reset"
override = "first.io/override"
[[registry]]
location = "r1.io"
insecure = true
[[registry]]
location = "r2.io"
`,
      );
      // Lexical order: "10-…" before "2-…".
      put('etc/registries.conf.d/2-late.conf', 'unqualified-search-registries = ["late.io"]\n[aliases]\noverride = "late.io/override"\n');
      put(
        'etc/registries.conf.d/10-early.conf',
        `unqualified-search-registries = ["early.io"]
[aliases]
override = "early.io/override"
reset = ""
[[registry]]
location = "r1.io"
insecure = false
[[registry.mirror]]
location = "m.r1.io"
`,
      );
      put('etc/registries.conf.d/notes.txt', 'this is not TOML');
      put('etc/registries.conf.d/sub.conf/inner.conf', 'unqualified-search-registries = ["nested.io"]');
      put('user/registries.conf.d/00-user.conf', 'short-name-mode = "disabled"\n[aliases]\nuser = "user.io/u"\n');
      return loadRegistriesConf({
        paths: { file: main, dropInDirs: [join(dir, 'etc/registries.conf.d'), join(dir, 'user/registries.conf.d')] },
      });
    }

    it('are read per dir in lexical order, only *.conf files, not recursing', async () => {
      const conf = await loadWithDropIns();
      expect(conf.files).toEqual([
        join(dir, 'etc/registries.conf'),
        join(dir, 'etc/registries.conf.d/10-early.conf'),
        join(dir, 'etc/registries.conf.d/2-late.conf'),
        join(dir, 'user/registries.conf.d/00-user.conf'),
      ]);
    });

    it('later files override keys, and the origin of the search list follows', async () => {
      const conf = await loadWithDropIns();
      expect(conf.unqualifiedSearchRegistries).toEqual(['late.io']);
      expect(conf.unqualifiedSearchRegistriesOrigin).toBe(join(dir, 'etc/registries.conf.d/2-late.conf'));
      expect(conf.shortNameMode).toBe('disabled');
    });

    it('aliases merge per name; an empty value resets one', async () => {
      const conf = await loadWithDropIns();
      expect(formatReference(conf.aliases.get('keep')!.value!)).toBe('keep.io/keep');
      expect(formatReference(conf.aliases.get('override')!.value!)).toBe('late.io/override');
      expect(conf.aliases.get('override')!.origin).toBe(join(dir, 'etc/registries.conf.d/2-late.conf'));
      expect(conf.aliases.get('reset')!.value).toBeUndefined();
      expect(formatReference(conf.aliases.get('user')!.value!)).toBe('user.io/u');
    });

    it('a [[registry]] with the same prefix replaces the earlier one as a whole', async () => {
      const conf = await loadWithDropIns();
      const r1 = findRegistry(conf, 'r1.io')!;
      expect(r1.insecure).toBe(false);
      expect(r1.mirrors).toEqual([{ location: 'm.r1.io', insecure: false }]);
      expect(r1.origin).toBe(join(dir, 'etc/registries.conf.d/10-early.conf'));
      expect(findRegistry(conf, 'r2.io')!.origin).toBe(join(dir, 'etc/registries.conf'));
    });

    it('an empty list in a drop-in clears the search registries; a missing key leaves them', async () => {
      const main = put('m/registries.conf', 'unqualified-search-registries = ["a.io"]\n');
      put('m/d1/1.conf', 'short-name-mode = "permissive"\n');
      let conf = await loadRegistriesConf({ paths: { file: main, dropInDirs: [join(dir, 'm/d1')] } });
      expect(conf.unqualifiedSearchRegistries).toEqual(['a.io']);
      put('m/d2/1.conf', 'unqualified-search-registries = []\n');
      conf = await loadRegistriesConf({ paths: { file: main, dropInDirs: [join(dir, 'm/d2')] } });
      expect(conf.unqualifiedSearchRegistries).toEqual([]);
      expect(conf.unqualifiedSearchRegistriesOrigin).toBe(join(dir, 'm/d2/1.conf'));
    });

    it('apply even when the main file does not exist', async () => {
      put('x/d/a.conf', 'unqualified-search-registries = ["d.io"]\n');
      const conf = await loadRegistriesConf({
        paths: { file: join(dir, 'x/none.conf'), dropInDirs: [join(dir, 'x/d')], fileMustExist: false },
      });
      expect(conf.unqualifiedSearchRegistries).toEqual(['d.io']);
      expect(conf.files).toEqual([join(dir, 'x/d/a.conf')]);
    });

    it('must be v2', async () => {
      const main = put('v/registries.conf', '');
      const bad = put('v/d/old.conf', '[registries.search]\nregistries = ["a.io"]\n');
      await expect(loadRegistriesConf({ paths: { file: main, dropInDirs: [join(dir, 'v/d')] } })).rejects.toThrow(
        `${bad}: registry must be in v2 format but is in v1`,
      );
    });

    it('an error in a drop-in names that file and line', async () => {
      const main = put('e/registries.conf', '');
      const bad = put('e/d/bad.conf', '\n\nshort-name-mode = enforcing\n');
      const err = await loadRegistriesConf({ paths: { file: main, dropInDirs: [join(dir, 'e/d')] } }).catch((e) => e);
      expect(err).toBeInstanceOf(RegistriesConfError);
      expect(err.file).toBe(bad);
      expect(err.line).toBe(3);
      expect(err.message).toMatch(new RegExp(`^${bad}:3: invalid TOML`));
      expect(err.message).not.toContain('\n');
    });

    it('an unreadable drop-in dir is an error, a missing one is not', () => {
      expect(dropInFiles([join(dir, 'nope')])).toEqual([]);
      if (process.getuid?.() === 0) return; // root reads anything
      const d = join(dir, 'locked');
      mkdirSync(d, { mode: 0o000 });
      try {
        expect(() => dropInFiles([d])).toThrow(/reading registries.conf.d: permission denied/);
      } finally {
        chmodSync(d, 0o700);
      }
    });
  });

  describe('v1 format', () => {
    it('is converted to v2', async () => {
      const conf = await loadText(`
[registries.search]
registries = ["registry-a.com////", "registry-c.com", "registry-d.com"]

[registries.block]
registries = ["registry-b.com"]

[registries.insecure]
registries = ["registry-b.com////", "registry-d.com", "registry-e.com", "registry-a.com"]
`);
      expect(conf.unqualifiedSearchRegistries).toEqual(['registry-a.com', 'registry-c.com', 'registry-d.com']);
      expect(conf.registries.map((r) => ({ prefix: r.prefix, location: r.location, insecure: r.insecure, blocked: r.blocked }))).toEqual([
        { prefix: 'registry-a.com', location: 'registry-a.com', insecure: true, blocked: false },
        { prefix: 'registry-b.com', location: 'registry-b.com', insecure: true, blocked: true },
        { prefix: 'registry-d.com', location: 'registry-d.com', insecure: true, blocked: false },
        { prefix: 'registry-e.com', location: 'registry-e.com', insecure: true, blocked: false },
      ]);
      expect(() => pullSources(conf, parseReference('registry-b.com/x:1'))).toThrow(RegistryBlockedError);
    });

    it('cannot be mixed with v2 keys', async () => {
      const e = await loadError(`
unqualified-search-registries = ["registry-a.com"]
[registries.search]
registries = ["registry-a.com"]
`);
      expect(e.message).toBe('/x/registries.conf: mixing sysregistry v1/v2 is not supported');
      const e2 = await loadError('short-name-mode = "enforcing"\n[registries.block]\nregistries = ["b.io"]\n');
      expect(e2.message).toContain('mixing sysregistry v1/v2 is not supported');
    });

    it('empty v1 lists do not count as v1', async () => {
      const p = await parseRegistriesConf(
        '[registries.search]\nregistries = []\n[[registry]]\nlocation = "a.io"\n',
        '/x/registries.conf',
      );
      expect(p.registries.map((r) => r.prefix)).toEqual(['a.io']);
    });
  });

  describe('validation errors name the file', () => {
    it.each<[string, string, string]>([
      ['bad TOML', 'a = \n', '/x/registries.conf:1: invalid TOML'],
      ['wrong type', 'unqualified-search-registries = "docker.io"\n', 'unqualified-search-registries must be an array of strings'],
      ['wrong type', 'short-name-mode = 1\n', 'short-name-mode must be a string'],
      ['wrong type', '[[registry]]\nlocation = "a.io"\ninsecure = "yes"\n', '[[registry]] #1 insecure must be a boolean'],
      ['wrong type', 'registry = "a.io"\n', 'registry must be an array of tables'],
      ['wrong type', '[[registry]]\nlocation = "a.io"\nmirror = "m.io"\n', 'registry.mirror must be an array of tables'],
      ['scheme', '[[registry]]\nlocation = "https://a.io"\n', "invalid location 'https://a.io': URI schemes are not supported"],
      ['scheme', '[[registry]]\nprefix = "http://a.io"\nlocation = "a.io"\n', "invalid location 'http://a.io'"],
      ['scheme', 'unqualified-search-registries = ["https://a.io"]\n', 'URI schemes are not supported'],
      ['nothing', '[[registry]]\ninsecure = true\n', 'invalid condition: both location and prefix are unset'],
      ['no location', '[[registry]]\nprefix = "a.io"\n', 'location is unset and prefix "a.io" is not in the format: *.example.com'],
      ['wildcard', '[[registry]]\nprefix = "*.a.io/ns"\n', 'wildcarded prefix should be in the format: *.example.com'],
      ['wildcard', '[[registry]]\nprefix = "*.a.io:5000"\n', 'wildcarded prefix should be in the format'],
      ['mirror', '[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\ninsecure = true\n', 'mirror location is unset'],
      ['primary', '[[registry]]\nlocation = "a.io"\npull-from-mirror = "all"\n', 'pull-from-mirror must not be set for a non-mirror registry'],
      [
        'mirror mode',
        '[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "sometimes"\n',
        'unsupported pull-from-mirror value "sometimes" for mirror "m.io"',
      ],
      [
        'both modes',
        '[[registry]]\nlocation = "a.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "tag-only"\n',
        'cannot set mirror usage mirror-by-digest-only for the registry ("a.io") and pull-from-mirror for per-mirror ("m.io")',
      ],
      [
        'conflict',
        '[[registry]]\nprefix = "a.io/x"\nlocation = "a.io"\n[[registry]]\nprefix = "a.io/y"\nlocation = "a.io"\ninsecure = true\n',
        "registry 'a.io' is defined multiple times with conflicting 'insecure' setting",
      ],
      [
        'conflict',
        '[[registry]]\nprefix = "a.io/x"\nlocation = "a.io"\nblocked = true\n[[registry]]\nprefix = "a.io/y"\nlocation = "a.io"\n',
        "conflicting 'blocked' setting",
      ],
      ['search', 'unqualified-search-registries = ["-bad.io"]\n', 'invalid unqualified-search-registries entry "-bad.io"'],
      ['search', 'unqualified-search-registries = ["a.io/ns"]\n', 'invalid unqualified-search-registries entry "a.io/ns"'],
      ['mode', 'short-name-mode = "prompt"\n', 'invalid short-name mode: "prompt"'],
      ['alias', '[aliases]\n"x:1" = "a.io/x"\n', 'invalid short name "x:1": must not contain tag'],
      ['alias', '[aliases]\n"a.io/x" = "a.io/x"\n', 'invalid short name "a.io/x": must not contain registry'],
      ['alias', '[aliases]\n"X" = "a.io/x"\n', 'invalid short name "X": repository name must be lowercase'],
      ['alias', '[aliases]\nx = "x"\n', 'invalid alias "x": must contain registry and repository'],
      ['alias', '[aliases]\nx = "a.io/x:1"\n', 'invalid alias "a.io/x:1": must not contain tag'],
      ['alias', `[aliases]\nx = "a.io/x@sha256:${'a'.repeat(64)}"\n`, 'must not contain digest'],
      ['alias', '[aliases]\nx = 1\n', 'alias "x" must be a string'],
    ])('%s: %s', async (_what, text, want) => {
      const e = await loadError(text);
      expect(e.message).toContain(want);
      expect(e.message.startsWith('/x/registries.conf')).toBe(true);
      expect(e.code).toBe('TSC_ERR_REGISTRIES_CONF');
    });

    it('reports every bad alias at once', async () => {
      const e = await loadError('[aliases]\na = "a"\nb = "b"\n');
      expect(e.message).toContain('invalid alias "a"');
      expect(e.message).toContain('invalid alias "b"');
    });
  });
});

describe('prefix matching', () => {
  it.each<[string, string, number]>([
    ['example.com', 'example.com', 11],
    ['example.com/foo', 'example.com', 11],
    ['example.com:5000/foo', 'example.com', 11], // (containers/image admits this is unintended)
    ['example.com@sha256:x', 'example.com', 11],
    ['example.com/foo/bar:1', 'example.com/foo', 15],
    ['example.com/foobar', 'example.com/foo', -1],
    ['example.community/x', 'example.com', -1],
    ['example.co', 'example.com', -1],
    ['other.com/example.com', 'example.com', -1],
    ['a.example.com/x', '*.example.com', 13],
    ['a.b.example.com', '*.example.com', 15],
    ['a.example.com:5000/x', '*.example.com', 13],
    ['example.com/x', '*.example.com', -1],
    ['a.example.community/x', '*.example.com', -1],
    ['evil.com/a.example.com', '*.example.com', -1],
  ])('%s vs %s → %d', (ref, prefix, want) => {
    expect(refMatchingPrefix(ref, prefix)).toBe(want);
  });

  it('findRegistry: the longest matching prefix wins, wildcards included', async () => {
    const conf = await loadText(`
[[registry]]
location = "registry.com:5000"
prefix = "simple-prefix.com"
[[registry]]
location = "another-registry.com:5000"
prefix = "complex-prefix.com:4000/with/path"
[[registry]]
location = "registry.com:5000"
prefix = "another-registry.com"
[[registry]]
location = "no-prefix.com"
[[registry]]
location = "subdomain-prefix.com"
prefix = "*.so.simple-prefix.com"
[[registry]]
location = "subdomain-prefix-2.com"
prefix = "*.simple-prefix.com"
[[registry]]
location = "subdomain-prefix-1.com"
prefix = "*.not.quite.simple-prefix.com"
[[registry]]
location = "subdomain-prefix-5.com"
prefix = "foo.bar.example.com:5000"
[[registry]]
prefix = "*.internal.registry.com"
[[registry]]
prefix = "*.com"
`);
    const loc = (s: string) => findRegistry(conf, s)?.location;
    expect(loc('simple-prefix.com/foo/bar:latest')).toBe('registry.com:5000');
    expect(loc('complex-prefix.com:4000/with/path/and/beyond:tag')).toBe('another-registry.com:5000');
    expect(loc('another-registry.com')).toBe('registry.com:5000');
    expect(loc('no-prefix.com/foo:tag')).toBe('no-prefix.com');
    expect(loc('not-matching-prefix.org/foo')).toBeUndefined();
    expect(loc('not.so.simple-prefix.com/foo')).toBe('subdomain-prefix.com');
    expect(loc('yet.another.not.quite.simple-prefix.com/foo')).toBe('subdomain-prefix-1.com');
    expect(loc('sub.simple-prefix.com/x')).toBe('subdomain-prefix-2.com');
    expect(loc('foo.bar.example.com:5000/x')).toBe('subdomain-prefix-5.com');
    expect(findRegistry(conf, 'a.internal.registry.com/x')?.prefix).toBe('*.internal.registry.com');
    expect(findRegistry(conf, 'anything.com/x')?.prefix).toBe('*.com');
    expect(findRegistry(conf, parseNormalizedReference('docker.io/library/x'))).toBeUndefined();
  });
});

describe('pullSources', () => {
  const D = `sha256:${'a'.repeat(64)}`;
  const MIRRORS = `
[[registry]]
prefix = "registry-a.com/foo"
location = "registry-a.com/bar"
[[registry.mirror]]
location = "mirror-1.registry-a.com"
[[registry.mirror]]
location = "mirror-2.registry-a.com"
insecure = true

[[registry]]
prefix = "registry-b.com/foo"
location = "registry-b.com/bar"
[[registry.mirror]]
pull-from-mirror = "digest-only"
location = "mirror-1.registry-b.com"
[[registry.mirror]]
pull-from-mirror = "digest-only"
location = "mirror-2.registry-b.com"

[[registry]]
prefix = "registry-d.com/foo"
location = "registry-d.com/bar"
mirror-by-digest-only = true
[[registry.mirror]]
location = "mirror-1.registry-d.com"
[[registry.mirror]]
location = "mirror-2.registry-d.com"

[[registry]]
prefix = "registry-e.com/foo"
location = "registry-e.com/bar"
[[registry.mirror]]
pull-from-mirror = "tag-only"
location = "mirror-1.registry-e.com"

[[registry]]
prefix = "registry-g.com/foo"
location = "registry-g.com/bar"
[[registry.mirror]]
pull-from-mirror = "digest-only"
location = "mirror-1.registry-g.com"
[[registry.mirror]]
pull-from-mirror = "tag-only"
location = "mirror-2.registry-g.com"
[[registry.mirror]]
location = "mirror-3.registry-g.com"
[[registry.mirror]]
pull-from-mirror = "all"
location = "mirror-4.registry-g.com"

[[registry]]
location = "blocked.io"
blocked = true

[[registry]]
location = "uses-blocked-mirror.io"
[[registry.mirror]]
location = "blocked.io/mirror"
[[registry.mirror]]
location = "ok-mirror.io"

[[registry]]
prefix = "*.wild.io"

[[registry]]
prefix = "*.moved.io"
location = "new.io/moved"
`;

  const sources = (conf: RegistriesConf, s: string) =>
    pullSources(conf, parseReference(s)).map((p) => `${formatReference(p.reference)}${p.insecure ? ' (insecure)' : ''}${p.mirror ? ' [mirror]' : ''}`);

  it.each<[string, string[]]>([
    [
      'registry-a.com/foo/image:latest',
      [
        'mirror-1.registry-a.com/image:latest [mirror]',
        'mirror-2.registry-a.com/image:latest (insecure) [mirror]',
        'registry-a.com/bar/image:latest',
      ],
    ],
    [
      `registry-a.com/foo/image@${D}`,
      [`mirror-1.registry-a.com/image@${D} [mirror]`, `mirror-2.registry-a.com/image@${D} (insecure) [mirror]`, `registry-a.com/bar/image@${D}`],
    ],
    ['registry-b.com/foo/image:latest', ['registry-b.com/bar/image:latest']],
    [
      `registry-b.com/foo/image@${D}`,
      [`mirror-1.registry-b.com/image@${D} [mirror]`, `mirror-2.registry-b.com/image@${D} [mirror]`, `registry-b.com/bar/image@${D}`],
    ],
    ['registry-d.com/foo/image:latest', ['registry-d.com/bar/image:latest']],
    [
      `registry-d.com/foo/image@${D}`,
      [`mirror-1.registry-d.com/image@${D} [mirror]`, `mirror-2.registry-d.com/image@${D} [mirror]`, `registry-d.com/bar/image@${D}`],
    ],
    ['registry-e.com/foo/image:latest', ['mirror-1.registry-e.com/image:latest [mirror]', 'registry-e.com/bar/image:latest']],
    [`registry-e.com/foo/image@${D}`, [`registry-e.com/bar/image@${D}`]],
    [
      'registry-g.com/foo/image:1',
      [
        'mirror-2.registry-g.com/image:1 [mirror]',
        'mirror-3.registry-g.com/image:1 [mirror]',
        'mirror-4.registry-g.com/image:1 [mirror]',
        'registry-g.com/bar/image:1',
      ],
    ],
    [
      `registry-g.com/foo/image@${D}`,
      [
        `mirror-1.registry-g.com/image@${D} [mirror]`,
        `mirror-3.registry-g.com/image@${D} [mirror]`,
        `mirror-4.registry-g.com/image@${D} [mirror]`,
        `registry-g.com/bar/image@${D}`,
      ],
    ],
    // A tag and a digest together count as a digest pull.
    [`registry-e.com/foo/image:1@${D}`, [`registry-e.com/bar/image:1@${D}`]],
    // Not covered by any prefix: the reference itself.
    ['unconfigured.io/x:1', ['unconfigured.io/x:1']],
    ['registry-a.com/other:1', ['registry-a.com/other:1']],
    // A mirror in a blocked registry is left out.
    ['uses-blocked-mirror.io/x:1', ['ok-mirror.io/x:1 [mirror]', 'uses-blocked-mirror.io/x:1']],
    // A wildcard prefix without location pulls from the host that matched.
    ['a.wild.io/x:1', ['a.wild.io/x:1']],
    ['deep.a.moved.io/x/y:2', ['new.io/moved/x/y:2']],
  ])('%s', async (input, want) => {
    const conf = await loadText(MIRRORS);
    expect(sources(conf, input)).toEqual(want);
  });

  it('a blocked registry is an error that names it and the file', async () => {
    const conf = await loadText(MIRRORS);
    const file = join(dir, 'registries.conf');
    expect(() => pullSources(conf, parseReference('blocked.io/x:1'))).toThrow(`registry blocked.io is blocked in registries.conf (${file})`);
    try {
      pullSources(conf, parseReference('blocked.io/ns/x@sha256:' + 'b'.repeat(64)));
    } catch (e) {
      expect((e as RegistryBlockedError).code).toBe('TSC_ERR_REGISTRY_BLOCKED');
      expect((e as RegistryBlockedError).prefix).toBe('blocked.io');
    }
  });

  it('refuses short names', async () => {
    const conf = await loadText('');
    expect(() => pullSources(conf, { domain: '', path: 'alpine', tag: 'latest' })).toThrow(/short name/);
  });

  it('the test harness configuration sends docker.io to the loopback mirror first', async () => {
    const conf = await loadText(harnessConf('127.0.0.1:5000'));
    expect(sources(conf, 'docker.io/library/alpine:latest')).toEqual([
      '127.0.0.1:5000/library/alpine:latest (insecure) [mirror]',
      'docker.io/library/alpine:latest',
    ]);
    expect(sources(conf, '127.0.0.1:5000/x:1')).toEqual(['127.0.0.1:5000/x:1 (insecure)']);
    expect(isInsecureRegistry(conf, '127.0.0.1:5000')).toBe(true);
    expect(isInsecureRegistry(conf, 'docker.io')).toBe(false);
    expect(conf.unqualifiedSearchRegistries).toEqual(['docker.io']);
  });

  it('a location that does not make a fully qualified reference is an error, not a guess', async () => {
    const conf = await loadText('[[registry]]\nprefix = "a.io"\nlocation = "nodots"\n');
    expect(() => pullSources(conf, parseReference('a.io/x:1'))).toThrow(/rewriting reference a\.io\/x:1 to location nodots/);
  });
});
