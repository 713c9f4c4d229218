/**
 * Pulls racing each other and pulls killed with SIGKILL: the storage must end with one copy of
 * each layer, consistent metadata, no temp dirs left for good, and the next pull must work.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostArchitecture } from '../harness/fixtures.js';
import { cleanEnv, harness, newStorage, runCli, storageEnv, type Storage } from '../harness/index.js';
import { gzipLayer, layoutLayers, makeTar, MT, pushLayers, sha256 } from './support/oci-push.js';

function layerDirs(s: Storage): string[] {
  return readdirSync(join(s.root, 'layers')).filter((d) => !d.startsWith('.'));
}

function tempDirs(s: Storage): string[] {
  const tmp = join(s.root, 'layers', '.tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

describe('pull: concurrent pulls (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let refB: string;
  let idB: string;

  beforeAll(async () => {
    storage = newStorage();
    // B = the busybox fixture plus a layer of its own: A and B share the base layer
    const extra = gzipLayer(makeTar([{ name: 'b.txt', content: 'image b\n' }, { name: 'blob.bin', content: randomBytes(4 * 1024 * 1024) }]));
    const b = await pushLayers(h.registry, 'pullconc/b', 'latest', [...layoutLayers(h.layout, 'busybox'), extra], { architecture: hostArchitecture() });
    refB = `${h.registry}/pullconc/b:latest`;
    idB = b.configDigest.slice(7);
  });

  it('8 pulls at once of the same and of different images: all succeed, each layer stored once', async () => {
    const refA = h.fixtures.busybox!;
    const refs = [refA, refB, refA, refB, refA, refB, refA, refB];
    const results = await Promise.all(refs.map((r) => runCli(['pull', '-q', r], { storage, timeoutMs: 240_000 })));
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const ids = results.map((r) => r.stdout.trim());
    const idA = ids[0]!;
    expect(ids).toEqual(refs.map((r) => (r === refA ? idA : idB)));

    // one record per image, each with one name; two layer directories (shared base + B's own)
    const images = JSON.parse(readFileSync(join(storage.root, 'images.json'), 'utf8')) as { id: string; names: string[] }[];
    expect(images.map((i) => i.id).sort()).toEqual([idA, idB].sort());
    for (const i of images) expect(i.names).toEqual([i.id === idA ? refA : refB]);
    expect(layerDirs(storage)).toHaveLength(2);
    expect(tempDirs(storage)).toEqual([]);
    const ls = await runCli(['images', '--format', '{{.ID}}'], { storage });
    expect(ls.stdout.trim().split('\n').sort()).toEqual([idA.slice(0, 12), idB.slice(0, 12)].sort());
    const run = await runCli(['run', '--rm', refB, 'cat', '/b.txt'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('image b\n');
  });
});

describe('pull: kill -9 in the middle (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let ref: string;
  const BIG = 160 * 1024 * 1024;

  beforeAll(async () => {
    storage = newStorage();
    // an uncompressed 160 MiB layer: slow enough to be caught mid-way on this machine
    const tar = makeTar([
      { name: 'small.txt', content: 'before the big one\n' },
      { name: 'big.bin', content: randomBytes(BIG) },
      { name: 'after.txt', content: 'after the big one\n' },
    ]);
    const big = { blob: tar, mediaType: MT.ociLayer, diffId: sha256(tar) };
    await pushLayers(h.registry, 'pullconc/big', 'latest', [...layoutLayers(h.layout, 'busybox'), big], { architecture: hostArchitecture() });
    ref = `${h.registry}/pullconc/big:latest`;
  }, 300_000);

  /** Start a pull as the test user; SIGKILL its whole process group once `when` says so. */
  async function pullAndKill(when: () => boolean): Promise<{ killed: boolean; code: number | null }> {
    const child = spawn(process.execPath, [h.bin, 'pull', '-q', ref], {
      env: cleanEnv({ env: storageEnv(storage) }),
      cwd: h.user.home,
      stdio: 'ignore',
      detached: true,
      ...(h.user.created ? { uid: h.user.uid, gid: h.user.gid } : {}),
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let killed = false;
    let finished = false;
    void exited.then(() => (finished = true));
    const deadline = Date.now() + 120_000;
    while (!finished && Date.now() < deadline) {
      if (when()) {
        process.kill(-child.pid!, 'SIGKILL');
        killed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const code = await exited;
    return { killed, code };
  }

  /** Bytes of big.bin written so far in a layer temp dir (0 when none yet). */
  function bigBytes(): number {
    for (const t of tempDirs(storage)) {
      try {
        return statSync(join(storage.root, 'layers', '.tmp', t, 'diff', 'big.bin')).size;
      } catch {
        /* not there yet */
      }
    }
    return 0;
  }

  async function expectUsable(): Promise<void> {
    const imgs = await runCli(['images', '--format', '{{.Repository}}'], { storage });
    expect(imgs.stderr).toBe('');
    expect(imgs.code).toBe(0);
    const check = await runCli(['images', '-q'], { storage });
    expect(check.code).toBe(0);
  }

  it('killed as the big layer starts: no image, storage usable', async () => {
    const k = await pullAndKill(() => bigBytes() > 0);
    expect(k.killed).toBe(true);
    // what the crash left: at most temp dirs, no image
    expect((await runCli(['images', '-q'], { storage })).stdout).toBe('');
    await expectUsable();
  });

  it('killed half-way through the big layer: storage usable, the same pull then completes', async () => {
    const k = await pullAndKill(() => bigBytes() > BIG / 2);
    expect(k.killed).toBe(true);
    expect(tempDirs(storage).length).toBeGreaterThan(0); // the crash did leave something to clean
    await expectUsable();
    const p = await runCli(['pull', '-q', ref], { storage, timeoutMs: 240_000 });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    // the dead pulls' temp dirs were removed by the next writer
    expect(tempDirs(storage)).toEqual([]);
    expect(layerDirs(storage)).toHaveLength(2);
    const run = await runCli(['run', '--rm', ref, '/bin/sh', '-c', 'cat /small.txt /after.txt; stat -c %s /big.bin'], { storage, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`before the big one\nafter the big one\n${BIG}\n`);
  });
});
