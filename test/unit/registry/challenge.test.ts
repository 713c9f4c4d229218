import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../../src/registry/challenge.js';
import { describeRegistryBody } from '../../../src/registry/errors.js';

describe('parseChallenges', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic realm=reg', [{ scheme: 'basic', params: { realm: 'reg' } }]],
    [
      'Basic realm="a", Bearer realm="https://t/x",service="s"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t/x', service: 's' } },
      ],
    ],
    ['Bearer realm="q\\"uote",error="insufficient_scope"', [{ scheme: 'bearer', params: { realm: 'q"uote', error: 'insufficient_scope' } }]],
    ['Bearer  realm = "x" , service="y"', [{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }]],
    ['', []],
  ])('%s', (header, want) => {
    expect(parseChallenges(header)).toEqual(want);
  });
});

describe('describeRegistryBody', () => {
  it('turns distribution errors into words', () => {
    expect(describeRegistryBody('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}')).toEqual({
      code: 'MANIFEST_UNKNOWN',
      text: 'manifest unknown',
    });
    expect(describeRegistryBody('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}').text).toBe(
      'name unknown: repository name not known to registry',
    );
  });
  it('keeps the first line of a non-JSON body', () => {
    expect(describeRegistryBody('<html>oops</html>\nmore')).toEqual({ text: '<html>oops</html>' });
  });
});
