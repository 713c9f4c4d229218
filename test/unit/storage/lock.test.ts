import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdsStorageLock, withStorageLock } from '../../../src/storage/lock.js';
import { FileLock } from '../../../src/native/flock.js';
import { tempRoot } from './fixture.js';

let root: string;
beforeEach(() => {
  root = tempRoot('tsc-lock-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('storage lock', () => {
  it('holds an exclusive flock on <root>/storage.lock while fn runs', async () => {
    await withStorageLock(root, async () => {
      expect(holdsStorageLock(root)).toBe(true);
      expect(await FileLock.acquire(`${root}/storage.lock`, 'shared', { wait: false })).toBeUndefined();
    });
    expect(holdsStorageLock(root)).toBe(false);
    const l = await FileLock.acquire(`${root}/storage.lock`, 'exclusive', { wait: false });
    expect(l).toBeDefined();
    l!.release();
  });

  it('is re-entrant along one call chain and a mutex between concurrent ones', async () => {
    const order: string[] = [];
    const inner = await withStorageLock(root, () => withStorageLock(root, () => 'nested'));
    expect(inner).toBe('nested');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        withStorageLock(root, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          order.push(`in${n}`);
          await new Promise((r) => setTimeout(r, 5));
          order.push(`out${n}`);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order).toEqual(['in1', 'out1', 'in2', 'out2', 'in3', 'out3', 'in4', 'out4']);
  });

  it('releases the lock when fn throws', async () => {
    await expect(withStorageLock(root, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withStorageLock(root, () => 1)).toBe(1);
  });
});
