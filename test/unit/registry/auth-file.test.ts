import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthFileError,
  authFilePaths,
  authKeysForKey,
  credentialsForReference,
  defaultAuthFile,
  lookupCredentials,
  normalizeAuthKey,
  parseCreds,
  readAuthFile,
  removeAllCredentials,
  removeCredentials,
  setCredentials,
  validateAuthKey,
  type AuthFileOptions,
} from '../../../src/registry/auth-file.js';
import { AuthError } from '../../../src/registry/errors.js';
import { parseNormalizedReference } from '../../../src/registry/reference.js';

let dir: string;
let home: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsc-auth-'));
  home = join(dir, 'home');
  mkdirSync(join(dir, 'run'), { recursive: true });
  env = { HOME: home, XDG_RUNTIME_DIR: join(dir, 'run'), PATH: process.env.PATH };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function put(path: string, json: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

function o(extra: AuthFileOptions = {}): AuthFileOptions {
  return { env, home, ...extra };
}

describe('where credentials are read from', () => {
  it('runtime dir, XDG config home, Docker config, legacy .dockercfg — in that order', () => {
    expect(authFilePaths(o())).toEqual([
      { path: join(dir, 'run/containers/auth.json'), legacyFormat: false },
      { path: join(home, '.config/containers/auth.json'), legacyFormat: false },
      { path: join(home, '.docker/config.json'), legacyFormat: false },
      { path: join(home, '.dockercfg'), legacyFormat: true },
    ]);
  });

  it('honours XDG_CONFIG_HOME and DOCKER_CONFIG', () => {
    env.XDG_CONFIG_HOME = '/xdg';
    env.DOCKER_CONFIG = '/dk';
    expect(authFilePaths(o()).map((p) => p.path)).toEqual([
      join(dir, 'run/containers/auth.json'),
      '/xdg/containers/auth.json',
      '/dk/config.json',
      join(home, '.dockercfg'),
    ]);
  });

  it('--authfile, else $REGISTRY_AUTH_FILE, is the only file', () => {
    env.REGISTRY_AUTH_FILE = '/env/auth.json';
    expect(authFilePaths(o())).toEqual([{ path: '/env/auth.json', legacyFormat: false }]);
    expect(authFilePaths(o({ authfile: '/flag/auth.json' }))).toEqual([{ path: '/flag/auth.json', legacyFormat: false }]);
    expect(defaultAuthFile(o({ authfile: '/flag/auth.json' }))).toBe('/flag/auth.json');
    expect(defaultAuthFile(o())).toBe('/env/auth.json');
  });

  it('default write target without XDG_RUNTIME_DIR: /run/containers/0 for root, our run dir for a user', () => {
    expect(defaultAuthFile({ env: {}, home, uid: 0 })).toBe('/run/containers/0/auth.json');
    expect(defaultAuthFile({ env: { TMPDIR: '/tt' }, home, uid: 4242 })).toBe('/tt/tsc-ctr-run-4242/containers/auth.json');
    expect(defaultAuthFile({ env: { _CONTAINERS_ROOTLESS_UID: '4243' }, home })).toBe('/tmp/tsc-ctr-run-4243/containers/auth.json');
    expect(defaultAuthFile({ env: {}, home, runtimeDir: '/r' })).toBe('/r/containers/auth.json');
    expect(defaultAuthFile(o())).toBe(join(dir, 'run/containers/auth.json'));
  });
});

describe('lookupCredentials', () => {
  it('the first file with an entry wins', async () => {
    put(join(home, '.config/containers/auth.json'), { auths: { 'quay.io': { auth: b64('second:pw2') } } });
    put(join(dir, 'run/containers/auth.json'), { auths: { 'quay.io': { auth: b64('first:pw1') } } });
    const found = await lookupCredentials('quay.io/ns/repo', o());
    expect(found).toEqual({
      credentials: { username: 'first', password: 'pw1' },
      source: join(dir, 'run/containers/auth.json'),
      key: 'quay.io',
    });
  });

  it('falls through files without an entry, down to the Docker config', async () => {
    put(join(dir, 'run/containers/auth.json'), { auths: { 'other.io': { auth: b64('o:o') } } });
    put(join(home, '.docker/config.json'), { auths: { 'quay.io': { auth: b64('docker:pw') } } });
    expect((await lookupCredentials('quay.io', o()))?.credentials).toEqual({ username: 'docker', password: 'pw' });
  });

  it('the most specific key wins', async () => {
    put(join(dir, 'run/containers/auth.json'), {
      auths: {
        'quay.io': { auth: b64('reg:1') },
        'quay.io/ns': { auth: b64('ns:2') },
        'quay.io/ns/repo': { auth: b64('repo:3') },
      },
    });
    const user = async (k: string) => (await lookupCredentials(k, o()))?.credentials.username;
    expect(await user('quay.io/ns/repo')).toBe('repo');
    expect(await user('quay.io/ns/repo2')).toBe('ns');
    expect(await user('quay.io/ns/sub/repo')).toBe('ns');
    expect(await user('quay.io/other/repo')).toBe('reg');
    expect(await user('quay.io')).toBe('reg');
    expect(await lookupCredentials('quay.iox/ns/repo', o())).toBeUndefined();
  });

  it('matches URL-style keys by host, Docker Hub’s names included', async () => {
    put(join(home, '.docker/config.json'), {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'http://localhost:5000': { auth: b64('local:pw') },
        'https://quay.io/v2/': { auth: b64('quay:pw') },
      },
    });
    expect((await credentialsForReference(parseNormalizedReference('alpine'), o()))?.username).toBe('hub');
    expect((await lookupCredentials('registry-1.docker.io', o()))?.credentials.username).toBe('hub');
    expect((await lookupCredentials('localhost:5000/x', o()))?.credentials.username).toBe('local');
    expect((await lookupCredentials('quay.io/a/b', o()))?.credentials.username).toBe('quay');
  });

  it('an exact key is preferred to a URL-style one', async () => {
    put(join(home, '.docker/config.json'), {
      auths: { 'https://index.docker.io/v1/': { auth: b64('url:pw') }, 'docker.io': { auth: b64('plain:pw') } },
    });
    expect((await lookupCredentials('docker.io/library/alpine', o()))?.credentials.username).toBe('plain');
  });

  it('reads the legacy ~/.dockercfg (a bare map keyed by URL)', async () => {
    put(join(home, '.dockercfg'), { 'https://registry.example.com/v1/': { auth: b64('legacy:pw'), email: 'a@b' } });
    expect((await lookupCredentials('registry.example.com/x', o()))?.credentials).toEqual({ username: 'legacy', password: 'pw' });
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ['password with colons', { auth: b64('u:p:a:s:s') }, { username: 'u', password: 'p:a:s:s' }],
    ['NULs trimmed from the password', { auth: b64('u:pw\0\0') }, { username: 'u', password: 'pw' }],
    ['identity token', { auth: b64('u:'), identitytoken: 'tok' }, { username: 'u', password: '', identityToken: 'tok' }],
    ['identity token alone', { identitytoken: 'tok' }, { identityToken: 'tok' }],
  ])('decodes %s', async (_what, entry, want) => {
    put(join(dir, 'run/containers/auth.json'), { auths: { 'r.io': entry } });
    expect((await lookupCredentials('r.io', o()))?.credentials).toEqual(want);
  });

  it('an empty entry (a credential-helper marker) is skipped for the next file', async () => {
    put(join(dir, 'run/containers/auth.json'), { auths: { 'r.io': {} } });
    put(join(home, '.config/containers/auth.json'), { auths: { 'r.io': { auth: b64('next:pw') } } });
    expect((await lookupCredentials('r.io', o()))?.credentials.username).toBe('next');
  });

  it('no credentials anywhere: undefined (anonymous)', async () => {
    expect(await lookupCredentials('r.io', o())).toBeUndefined();
  });

  it('an --authfile hides the other files', async () => {
    put(join(dir, 'run/containers/auth.json'), { auths: { 'r.io': { auth: b64('hidden:pw') } } });
    const f = put(join(dir, 'mine.json'), { auths: {} });
    expect(await lookupCredentials('r.io', o({ authfile: f }))).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    ['invalid JSON', '{"auths": ', /is not valid JSON/],
    ['not an object', '[]', /is not a JSON object/],
    ['bad auths', '{"auths": []}', /"auths" must be an object/],
    ['bad base64', JSON.stringify({ auths: { 'r.io': { auth: 'not base64!' } } }), /the "auth" value for "r.io" is not valid base64/],
  ])('a broken file is an error naming it: %s', async (_what, text, want) => {
    const f = put(join(dir, 'run/containers/auth.json'), text);
    const err = await lookupCredentials('r.io', o()).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(want);
    expect(err.message).toContain(f);
  });

  it('an unreadable file is an error', async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const f = put(join(dir, 'run/containers/auth.json'), '{}');
    chmodSync(f, 0o000);
    await expect(lookupCredentials('r.io', o())).rejects.toThrow(/permission denied/);
  });

  it('rejects keys that are not a registry or repository', async () => {
    await expect(lookupCredentials('https://r.io', o())).rejects.toThrow('key https://r.io contains http[s]:// prefix');
  });

  describe('credential helpers', () => {
    it('a credHelpers entry whose helper is not installed is a clear error', async () => {
      put(join(dir, 'run/containers/auth.json'), { auths: { 'r.io': { auth: b64('u:p') } }, credHelpers: { 'r.io': 'tsc-ctr-test-missing' } });
      env.PATH = join(dir, 'empty-path');
      await expect(lookupCredentials('r.io/x', o())).rejects.toThrow(
        'credential helper docker-credential-tsc-ctr-test-missing is not installed (not found in $PATH)',
      );
    });

    it('registries.conf credential-helpers are asked in order; a missing one is reported if nothing is found', async () => {
      env.PATH = join(dir, 'empty-path');
      await expect(lookupCredentials('r.io', o({ credentialHelpers: ['tsc-ctr-test-missing'] }))).rejects.toThrow(/is not installed/);
      put(join(dir, 'run/containers/auth.json'), { auths: { 'r.io': { auth: b64('file:pw') } } });
      const found = await lookupCredentials('r.io', o({ credentialHelpers: ['tsc-ctr-test-missing', 'containers-auth.json'] }));
      expect(found?.credentials.username).toBe('file');
    });

    it('speaks the helper protocol with an installed helper', async () => {
      const bin = join(dir, 'bin');
      const script = join(bin, 'docker-credential-fake');
      mkdirSync(bin);
      // A real helper program: reads the server on stdin, answers JSON, or says "not found".
      writeFileSync(
        script,
        `#!/bin/sh
read server
case "$1:$server" in
  get:r.io) printf '{"ServerURL":"r.io","Username":"helper-user","Secret":"helper-pw"}' ;;
  get:tok.io) printf '{"ServerURL":"tok.io","Username":"<token>","Secret":"the-token"}' ;;
  get:*) echo "credentials not found in native keychain"; exit 1 ;;
  *) echo "unsupported"; exit 1 ;;
esac
`,
        { mode: 0o755 },
      );
      env.PATH = `${bin}:${process.env.PATH}`;
      put(join(dir, 'run/containers/auth.json'), { credHelpers: { 'r.io': 'fake', 'tok.io': 'fake', 'none.io': 'fake' } });
      put(join(home, '.config/containers/auth.json'), { auths: { 'none.io': { auth: b64('fallback:pw') } } });
      expect(await lookupCredentials('r.io/ns/x', o())).toEqual({
        credentials: { username: 'helper-user', password: 'helper-pw' },
        source: `credential helper fake (credHelpers in ${join(dir, 'run/containers/auth.json')})`,
        key: 'r.io',
      });
      expect((await lookupCredentials('tok.io', o()))?.credentials).toEqual({ identityToken: 'the-token' });
      expect((await lookupCredentials('none.io', o()))?.credentials.username).toBe('fallback');
    });
  });
});

describe('setCredentials / removeCredentials', () => {
  it('create the file 0600 in a 0700 dir, readable by lookup', async () => {
    const file = defaultAuthFile(o());
    expect(await setCredentials(file, 'localhost:5000', 'me', 'secret:pw', o())).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ auths: { 'localhost:5000': { auth: b64('me:secret:pw') } } });
    expect((await lookupCredentials('localhost:5000/x/y', o()))?.credentials).toEqual({ username: 'me', password: 'secret:pw' });
    // No temp files left behind.
    expect(readdirSync(dirname(file))).toEqual(['auth.json']);
  });

  it('keep every other key, entry and field', async () => {
    const file = put(join(dir, 'cfg/config.json'), {
      auths: {
        'quay.io': { auth: b64('q:q') },
        'r.io': { auth: b64('old:old'), email: 'me@example.com', identitytoken: 'stale' },
      },
      credsStore: 'desktop',
      HttpHeaders: { 'User-Agent': 'x' },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    chmodSync(file, 0o644);
    await setCredentials(file, 'r.io', 'new', 'pw', o());
    const j = JSON.parse(readFileSync(file, 'utf8'));
    expect(j).toEqual({
      auths: {
        'quay.io': { auth: b64('q:q') },
        'r.io': { auth: b64('new:pw'), email: 'me@example.com' },
      },
      credsStore: 'desktop',
      HttpHeaders: { 'User-Agent': 'x' },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect(await removeCredentials(file, 'r.io', o())).toBe(true);
    expect(await removeCredentials(file, 'r.io', o())).toBe(false);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.auths).toEqual({ 'quay.io': { auth: b64('q:q') } });
    expect(after.credsStore).toBe('desktop');
  });

  it('namespaced keys are stored as given', async () => {
    const file = join(dir, 'a.json');
    await setCredentials(file, 'quay.io/ns/repo', 'u', 'p', o());
    await setCredentials(file, 'quay.io', 'v', 'q', o());
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).auths)).toEqual(['quay.io/ns/repo', 'quay.io']);
    expect((await lookupCredentials('quay.io/ns/repo', o({ authfile: file })))?.credentials.username).toBe('u');
    expect((await lookupCredentials('quay.io/ns/other', o({ authfile: file })))?.credentials.username).toBe('v');
  });

  it('removing from a missing file: not logged in', async () => {
    expect(await removeCredentials(join(dir, 'none.json'), 'r.io', o())).toBe(false);
  });

  it('removeAllCredentials empties auths and credHelpers but keeps the rest', async () => {
    const file = put(join(dir, 'all.json'), { auths: { a: { auth: b64('a:a') } }, credHelpers: { b: 'x' }, other: 1 });
    removeAllCredentials(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ auths: {}, credHelpers: {}, other: 1 });
  });

  it('a helper named for the key stores the secret (missing helper: error, file untouched)', async () => {
    const file = put(join(dir, 'h.json'), { credHelpers: { 'r.io': 'tsc-ctr-test-missing' } });
    env.PATH = join(dir, 'empty-path');
    await expect(setCredentials(file, 'r.io', 'u', 'p', o())).rejects.toThrow(/docker-credential-tsc-ctr-test-missing is not installed/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ credHelpers: { 'r.io': 'tsc-ctr-test-missing' } });
    // credHelpers are per registry: a namespaced key goes to the file, as in containers/image.
    await setCredentials(file, 'r.io/ns', 'u', 'p', o());
    expect(JSON.parse(readFileSync(file, 'utf8')).auths).toEqual({ 'r.io/ns': { auth: b64('u:p') } });
  });

  it('refuses a default target under a missing XDG_RUNTIME_DIR, as containers/image does', async () => {
    env.XDG_RUNTIME_DIR = join(dir, 'gone');
    const file = defaultAuthFile(o());
    await expect(setCredentials(file, 'r.io', 'u', 'p', o())).rejects.toThrow(
      `"${join(dir, 'gone')}" directory set by $XDG_RUNTIME_DIR does not exist`,
    );
  });

  it('a broken file is not overwritten', async () => {
    const file = put(join(dir, 'broken.json'), '{oops');
    await expect(setCredentials(file, 'r.io', 'u', 'p', o())).rejects.toBeInstanceOf(AuthFileError);
    expect(readFileSync(file, 'utf8')).toBe('{oops');
  });
});

describe('small helpers', () => {
  it('readAuthFile: a missing file is empty', () => {
    expect(readAuthFile(join(dir, 'nope.json'))).toEqual({ auths: {} });
  });

  it('authKeysForKey walks up to the registry', () => {
    expect(authKeysForKey('quay.io/repo/ns/image')).toEqual(['quay.io/repo/ns/image', 'quay.io/repo/ns', 'quay.io/repo', 'quay.io']);
    expect(authKeysForKey('localhost:5000')).toEqual(['localhost:5000']);
  });

  it.each<[string, boolean | RegExp]>([
    ['quay.io', false],
    ['localhost:5000', false],
    ['localhost:5000/foo', true],
    ['quay.io/ns/repo', true],
    ['https://quay.io', /http\[s\]:\/\/ prefix/],
    ['quay.io/x@sha256:abc', /contains a '@' character/],
    ['quay.io/x:tag', /contains a ':' character after host\[:port\]/],
    ['', /empty registry key/],
  ])('validateAuthKey(%j)', (key, want) => {
    if (want instanceof RegExp) expect(() => validateAuthKey(key)).toThrow(want);
    else expect(validateAuthKey(key)).toBe(want);
  });

  it.each<[string, boolean, string]>([
    ['quay.io', false, 'quay.io'],
    ['https://quay.io/', false, 'quay.io'],
    ['http://localhost:5000/v2/', false, 'localhost:5000'],
    ['quay.io/ns/repo', false, 'quay.io'],
    ['quay.io/ns/repo', true, 'quay.io/ns/repo'],
    ['https://index.docker.io/v1/', false, 'docker.io'],
    ['https://index.docker.io/v1/', true, 'docker.io'],
    ['registry-1.docker.io', false, 'docker.io'],
    ['docker.io/user/repo', true, 'docker.io/user/repo'],
    ['index.docker.io/user/repo', true, 'docker.io/user/repo'],
  ])('normalizeAuthKey(%j, repos=%s) → %s', (input, acceptRepositories, want) => {
    expect(normalizeAuthKey(input, { acceptRepositories })).toBe(want);
  });

  it.each<[string, { username: string; password: string | undefined } | RegExp]>([
    ['user:pass', { username: 'user', password: 'pass' }],
    ['user:pa:ss', { username: 'user', password: 'pa:ss' }],
    ['user:', { username: 'user', password: '' }],
    ['user', { username: 'user', password: undefined }],
    ['', /credentials can't be empty/],
    [':pass', /username can't be empty/],
  ])('parseCreds(%j)', (input, want) => {
    if (want instanceof RegExp) expect(() => parseCreds(input)).toThrow(want);
    else expect(parseCreds(input)).toEqual(want);
  });
});
