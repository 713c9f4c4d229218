import { describe, expect, it } from 'vitest';
import { BadPathError, cleanEntryPath, parentOf, whiteoutOf } from '../../../src/storage/unpack/paths.js';

describe('cleanEntryPath', () => {
  it.each([
    ['a/b/c', 'a/b/c'],
    ['./a/b', 'a/b'],
    ['a//b/', 'a/b'],
    ['./', ''],
    ['.', ''],
    ['a/./b/.', 'a/b'],
    ['dir/', 'dir'],
    ['...', '...'],
    ['..foo/bar..', '..foo/bar..'],
    ['héllo wörld ✓', 'héllo wörld ✓'],
  ])('%j → %j', (raw, clean) => expect(cleanEntryPath(raw)).toBe(clean));

  it.each([
    ['../etc/passwd', /escapes/],
    ['a/../../b', /escapes/],
    ['a/../b', /escapes/],
    ['..', /escapes/],
    ['./..', /escapes/],
    ['/etc/passwd', /absolute/],
    ['//x', /absolute/],
    ['a\0b', /NUL/],
  ])('refuses %j', (raw, why) => {
    expect(() => cleanEntryPath(raw)).toThrow(BadPathError);
    expect(() => cleanEntryPath(raw)).toThrow(why);
  });
});

describe('parentOf', () => {
  it.each([
    ['a/b/c', 'a/b'],
    ['a', ''],
  ])('%j → %j', (p, parent) => expect(parentOf(p)).toBe(parent));
});

describe('whiteoutOf', () => {
  it.each([
    ['etc/passwd', undefined],
    ['etc/.wh.passwd', { kind: 'whiteout', target: 'etc/passwd' }],
    ['.wh.top', { kind: 'whiteout', target: 'top' }],
    ['a/b/.wh..wh..opq', { kind: 'opaque', dir: 'a/b' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '' }],
    ['.wh..wh.plnk', { kind: 'meta' }],
    ['.wh..wh.plnk/123.456', { kind: 'meta' }],
    ['x/.wh..wh.aufs', { kind: 'meta' }],
    ['a.wh.b/c', undefined],
    ['dir.wh./x', undefined],
    ['x/.wh.y/z', undefined],
  ])('%j → %j', (p, w) => expect(whiteoutOf(p)).toEqual(w));

  it.each(['.wh.', 'a/.wh.', 'a/.wh..', 'a/.wh...'])('refuses %j', (p) => {
    expect(() => whiteoutOf(p)).toThrow(BadPathError);
  });
});
