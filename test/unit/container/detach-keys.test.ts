import { describe, expect, it } from 'vitest';
import { DetachWatcher, parseDetachKeys } from '../../../src/container/detach-keys.js';

describe('parseDetachKeys', () => {
  it.each([
    ['ctrl-p,ctrl-q', [16, 17]],
    ['ctrl-a,x', [1, 120]],
    ['ctrl-@', [0]],
    ['ctrl-[', [27]],
    ['', []],
  ])('%s', (s, bytes) => expect([...parseDetachKeys(s)]).toEqual(bytes));
  it.each(['ctrl-', 'ctrl-pp', 'alt-x', 'ctrl-1'])('rejects %s', (s) => expect(() => parseDetachKeys(s)).toThrow(/invalid detach keys/));
});

describe('DetachWatcher', () => {
  const w = () => new DetachWatcher(parseDetachKeys('ctrl-p,ctrl-q'));
  const b = (...n: number[]) => Buffer.from(n);
  it('detaches on the sequence typed key by key', () => {
    const x = w();
    expect(x.feed(b(16))).toEqual({ forward: b(), detach: false });
    expect(x.feed(b(17))).toEqual({ forward: b(), detach: true });
  });
  it('flushes a partial match', () => {
    const x = w();
    x.feed(b(16));
    expect(x.feed(b(97))).toEqual({ forward: b(16, 97), detach: false });
  });
  it('ignores the sequence inside a pasted chunk', () => {
    expect(w().feed(b(16, 17))).toEqual({ forward: b(16, 17), detach: false });
  });
  it('ctrl-p ctrl-p ctrl-q still detaches', () => {
    const x = w();
    x.feed(b(16));
    expect(x.feed(b(16))).toEqual({ forward: b(16), detach: false });
    expect(x.feed(b(17)).detach).toBe(true);
  });
  it('empty keys never detach', () => {
    expect(new DetachWatcher(Buffer.alloc(0)).feed(b(16))).toEqual({ forward: b(16), detach: false });
  });
});
