import { describe, expect, it } from 'vitest';
import {
  InvalidReferenceError,
  familiarName,
  formatReference,
  isShortName,
  parseNormalizedReference,
  parseReference,
  parseReferenceAllowShort,
  trimReference,
  withDefaultTag,
  type ImageReference,
} from '../../../src/registry/reference.js';

const H64 = 'f'.repeat(64);
const D256 = `sha256:${H64}`;
const D512 = `sha512:${'e'.repeat(128)}`;

function ref(domain: string, path: string, tag?: string, digest?: string): ImageReference {
  const r: ImageReference = { domain, path };
  if (tag !== undefined) r.tag = tag;
  if (digest !== undefined) r.digest = digest;
  return r;
}

describe('parseReferenceAllowShort: the grammar, as written', () => {
  it.each<[string, ImageReference]>([
    ['test_com', ref('', 'test_com')],
    ['test.com:tag', ref('', 'test.com', 'tag')],
    ['test.com:5000', ref('', 'test.com', '5000')],
    ['test.com/repo:tag', ref('test.com', 'repo', 'tag')],
    ['test:5000/repo', ref('test:5000', 'repo')],
    ['test:5000/repo:tag', ref('test:5000', 'repo', 'tag')],
    [`test:5000/repo@${D256}`, ref('test:5000', 'repo', undefined, D256)],
    [`test:5000/repo:tag@${D256}`, ref('test:5000', 'repo', 'tag', D256)],
    ['lowercase:Uppercase', ref('', 'lowercase', 'Uppercase')],
    ['sub-dom1.foo.com/bar/baz/quux', ref('sub-dom1.foo.com', 'bar/baz/quux')],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', ref('sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag')],
    ['b.gcr.io/test.example.com/my-app:test.example.com', ref('b.gcr.io', 'test.example.com/my-app', 'test.example.com')],
    ['xn--n3h.com/myimage:xn--n3h.com', ref('xn--n3h.com', 'myimage', 'xn--n3h.com')],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${D512}`, ref('xn--7o8h.com', 'myimage', 'xn--7o8h.com', D512)],
    ['foo_bar.com:8080', ref('', 'foo_bar.com', '8080')],
    ['foo/foo_bar.com:8080', ref('', 'foo/foo_bar.com', '8080')],
    ['192.168.1.1', ref('', '192.168.1.1')],
    ['192.168.1.1:tag', ref('', '192.168.1.1', 'tag')],
    ['192.168.1.1/repo', ref('192.168.1.1', 'repo')],
    ['192.168.1.1:5000/repo:5050', ref('192.168.1.1:5000', 'repo', '5050')],
    ['[2001:db8::1]/repo', ref('[2001:db8::1]', 'repo')],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', ref('[2001:db8:1:2:3:4:5:6]', 'repo', 'tag')],
    ['[2001:db8::1]:5000/repo', ref('[2001:db8::1]:5000', 'repo')],
    [`[2001:db8::1]:5000/repo:tag@${D256}`, ref('[2001:db8::1]:5000', 'repo', 'tag', D256)],
    ['[::1]:5000/repo', ref('[::1]:5000', 'repo')],
    ['localhost/x', ref('localhost', 'x')],
    ['localhost:5000/a/b', ref('localhost:5000', 'a/b')],
    ['Example.COM/foo', ref('Example.COM', 'foo')],
    ['a__b/c--d/e.f/g_h:T_1.2-3', ref('', 'a__b/c--d/e.f/g_h', 'T_1.2-3')],
    ['x---y', ref('', 'x---y')],
    ['library/fedora', ref('', 'library/fedora')],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, ref('', `${'a/'.repeat(127)}a`, 'tag-puts-this-over-max')],
  ])('%s', (input, want) => {
    expect(parseReferenceAllowShort(input)).toEqual(want);
    // Formatting gives the input back.
    expect(formatReference(parseReferenceAllowShort(input))).toBe(input);
  });

  it.each<[string, RegExp]>([
    ['', /repository name must have at least one component/],
    [':justtag', /repository name must have at least one component/],
    [`@${D256}`, /repository name must have at least one component/],
    ['repo@sha256:' + 'f'.repeat(34), /invalid digest "sha256:f{34}": sha256 needs 64 lowercase hex digits/],
    [`repo@sha256:${'F'.repeat(64)}`, /sha256 needs 64 lowercase hex digits/],
    [`validname@invaliddigest:${H64}`, /unsupported digest algorithm "invaliddigest"/],
    ['repo@sha256', /invalid digest "sha256" \(expected algorithm:hex/],
    ['repo@sha256:xyz', /invalid digest/],
    [`a@b@${D256}`, /invalid digest/],
    ['Uppercase:tag', /repository name must be lowercase/],
    ['test:5000/Uppercase/lowercase:tag', /repository name must be lowercase/],
    ['Foo/bar', /repository name must be lowercase/],
    ['a:b:c', /invalid tag "b:c"/],
    ['alpine:', /invalid tag ""/],
    ['alpine:.hidden', /invalid tag ".hidden"/],
    ['alpine:-x', /invalid tag "-x"/],
    [`alpine:${'t'.repeat(129)}`, /invalid tag/],
    ['aa/asdf$$^/aa', /invalid repository name component "asdf\$\$\^"/],
    ['a//b', /empty path component/],
    ['a/', /empty path component/],
    ['/a', /empty path component/],
    ['-a', /invalid repository name component "-a"/],
    ['a-', /invalid repository name component "a-"/],
    ['a..b', /invalid repository name component "a\.\.b"/],
    ['a___b', /invalid repository name component "a___b"/],
    ['white space', /invalid repository name component "white space"/],
    ['[2001:db8::1]', /invalid tag/],
    ['[2001:db8::1]:5000', /invalid tag/],
    ['[fe80::1%eth0]:5000/repo', /invalid IPv6 address/],
    ['[::1/repo', /unterminated IPv6/],
    ['[::1]x/repo', /unexpected "x" after the IPv6 address/],
    ['example.com:port/repo', /port "port" is not a number/],
    ['-bad.com/repo', /host name component "-bad"/],
    ['bad-.com/repo', /host name component "bad-"/],
    ['a..com/repo', /host name component ""/],
    ['a:1:2/repo', /port "1:2" is not a number/],
    [`${'a/'.repeat(128)}a:tag`, /name too long \(257 > 255\)/],
  ])('%j is rejected', (input, want) => {
    let err: unknown;
    try {
      parseReferenceAllowShort(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidReferenceError);
    const e = err as InvalidReferenceError;
    expect(e.code).toBe('TSC_ERR_INVALID_REFERENCE');
    expect(e.exitCode).toBe(125);
    expect(e.message.startsWith(`invalid reference "${input}": `)).toBe(true);
    expect(e.message).toMatch(want);
    expect(e.message).not.toContain('\n');
  });

  it('the exact messages the brief asks for', () => {
    expect(() => parseNormalizedReference('Foo/bar')).toThrow('invalid reference "Foo/bar": repository name must be lowercase');
    expect(() => parseNormalizedReference('a:b:c')).toThrow(/^invalid reference "a:b:c": invalid tag/);
    expect(() => parseNormalizedReference('x@sha256:12')).toThrow(/^invalid reference "x@sha256:12": invalid digest/);
    const long = `example.com/${'a'.repeat(288)}`;
    expect(() => parseReference(long)).toThrow(`invalid reference "${long}": name too long (300 > 255)`);
  });
});

describe('parseReference: fully qualified, nothing rewritten', () => {
  it.each<[string, ImageReference]>([
    ['docker.io/library/alpine:3.19', ref('docker.io', 'library/alpine', '3.19')],
    ['docker.io/alpine', ref('docker.io', 'alpine')],
    ['index.docker.io/library/alpine', ref('index.docker.io', 'library/alpine')],
    ['localhost/x', ref('localhost', 'x')],
    ['localhost:5000/x:1', ref('localhost:5000', 'x', '1')],
    ['[::1]:5000/ns/x', ref('[::1]:5000', 'ns/x')],
    [`quay.io/a/b@${D256}`, ref('quay.io', 'a/b', undefined, D256)],
  ])('%s', (input, want) => {
    expect(parseReference(input)).toEqual(want);
  });

  it.each(['alpine', 'library/alpine', 'user/x:1', `alpine@${D256}`])('%s is not fully qualified', (input) => {
    expect(() => parseReference(input)).toThrow(`invalid reference "${input}": not fully qualified`);
  });

  it('a name of exactly 255 characters is accepted, 256 is not', () => {
    const ok = `example.com/${'a'.repeat(255 - 12)}`;
    expect(ok.length).toBe(255);
    expect(parseReference(ok).path.length).toBe(243);
    expect(() => parseReference(ok + 'a')).toThrow('name too long (256 > 255)');
  });
});

describe('parseNormalizedReference: Docker Hub normalisation', () => {
  it.each<[string, string]>([
    ['alpine', 'docker.io/library/alpine'],
    ['alpine:3.19', 'docker.io/library/alpine:3.19'],
    [`alpine@${D256}`, `docker.io/library/alpine@${D256}`],
    [`alpine:3@${D256}`, `docker.io/library/alpine:3@${D256}`],
    ['user/x', 'docker.io/user/x'],
    ['user/x/y:1', 'docker.io/user/x/y:1'],
    ['docker.io/alpine', 'docker.io/library/alpine'],
    ['docker.io/library/alpine', 'docker.io/library/alpine'],
    ['index.docker.io/alpine', 'docker.io/library/alpine'],
    ['index.docker.io/user/x', 'docker.io/user/x'],
    ['localhost/x', 'localhost/x'],
    ['localhost:5000/x', 'localhost:5000/x'],
    ['localhost:5000/x:tag', 'localhost:5000/x:tag'],
    ['quay.io/x', 'quay.io/x'],
    ['example.com:8443/ns/x', 'example.com:8443/ns/x'],
    ['[::1]:5000/x', '[::1]:5000/x'],
    ['registry/x', 'docker.io/registry/x'],
    // Like distribution: a bare host:port is read as name:tag on Docker Hub.
    ['localhost:5000', 'docker.io/library/localhost:5000'],
    ['localhost', 'docker.io/library/localhost'],
  ])('%s → %s', (input, want) => {
    expect(formatReference(parseNormalizedReference(input))).toBe(want);
  });

  it.each<[string, RegExp]>([
    [H64, /image ID, not a repository name/],
    ['Foo/bar', /repository name must be lowercase/],
    ['Localhost/x', /repository name must be lowercase/],
    ['quay.io/Foo', /repository name must be lowercase/],
    ['docker.io/', /repository name must have at least one component/],
    ['', /at least one component/],
    // 247 characters, plus "docker.io/" makes 257.
    [`${'a/'.repeat(123)}a`, /name too long \(257 > 255\)/],
  ])('%j is rejected', (input, want) => {
    expect(() => parseNormalizedReference(input)).toThrow(want);
  });

  it('counts docker.io/library/ in the name length', () => {
    const p = 'a'.repeat(255 - 'docker.io/library/'.length);
    expect(() => parseNormalizedReference(p)).not.toThrow();
    expect(() => parseNormalizedReference(p + 'a')).toThrow('name too long (256 > 255)');
  });
});

describe('isShortName', () => {
  it.each<[string, boolean]>([
    ['alpine', true],
    ['alpine:3', true],
    ['library/fedora', true],
    [`alpine@${D256}`, true],
    ['user/x:tag', true],
    ['quay.io/image', false],
    ['localhost/image:tag', false],
    ['server.org:5000/lib/image', false],
    ['docker.io/alpine', false],
    ['[::1]/x', false],
    ['Foo/bar', false], // invalid input is not a short name
    ['', false],
  ])('%j → %s', (input, want) => {
    expect(isShortName(input)).toBe(want);
  });
});

describe('helpers', () => {
  it('withDefaultTag adds latest only when there is neither tag nor digest', () => {
    expect(withDefaultTag(ref('docker.io', 'library/alpine'))).toEqual(ref('docker.io', 'library/alpine', 'latest'));
    expect(withDefaultTag(ref('docker.io', 'library/alpine', '3'))).toEqual(ref('docker.io', 'library/alpine', '3'));
    expect(withDefaultTag(ref('docker.io', 'library/alpine', undefined, D256))).toEqual(ref('docker.io', 'library/alpine', undefined, D256));
    expect(formatReference(withDefaultTag(parseNormalizedReference('alpine')))).toBe('docker.io/library/alpine:latest');
  });

  it('trimReference drops tag and digest', () => {
    expect(trimReference(ref('quay.io', 'a/b', '1', D256))).toEqual(ref('quay.io', 'a/b'));
  });

  it.each<[string, string, string]>([
    ['docker.io/library/alpine:latest', 'alpine:latest', 'alpine'],
    ['docker.io/library/a/b:1', 'library/a/b:1', 'library/a/b'],
    ['docker.io/user/x', 'user/x', 'user/x'],
    [`docker.io/library/alpine@${D256}`, `alpine@${D256}`, 'alpine'],
    ['quay.io/library/x:1', 'quay.io/library/x:1', 'quay.io/library/x'],
    ['localhost:5000/x:1', 'localhost:5000/x:1', 'localhost:5000/x'],
  ])('familiar form of %s is %s', (full, familiar, name) => {
    const r = parseReference(full);
    expect(formatReference(r)).toBe(full);
    expect(formatReference(r, { familiar: true })).toBe(familiar);
    expect(familiarName(r)).toBe(name);
  });
});
