/**
 * Hostile and corrupted images through a real pull: layers written byte by byte (support/oci-push)
 * that try to leave the layer directory, a decompression bomb over a lowered cap, and a blob the
 * registry serves with bytes that do not match its digest. Each pull must fail with exit 125 and
 * an error naming the layer and the entry, write nothing outside storage (a canary directory the
 * test user can write to is checked), and leave storage usable.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runCli, startRegistry, userTempDir, type Registry, type Storage } from '../harness/index.js';
import { hostArchitecture } from '../harness/fixtures.js';
import { gzipLayer, type LayerBlob, layoutLayers, makeTar, MT, pushLayers, sha256, type TarEntrySpec } from './support/oci-push.js';

const CANARY = 'canary: must stay as it is\n';

describe('pull: hostile layers (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let canaryDir: string;
  let canaryMtime: number;
  /** `../` enough times to reach / from any layer directory, then the canary dir. */
  let up: string;

  beforeAll(() => {
    storage = newStorage();
    canaryDir = userTempDir('canary-');
    writeFileSync(join(canaryDir, 'canary.txt'), CANARY);
    canaryMtime = statSync(join(canaryDir, 'canary.txt')).mtimeMs;
    up = `${'../'.repeat(24)}${canaryDir.slice(1)}`;
  });

  function expectCanaryUntouched(): void {
    expect(readdirSync(canaryDir)).toEqual(['canary.txt']);
    expect(readFileSync(join(canaryDir, 'canary.txt'), 'utf8')).toBe(CANARY);
    expect(statSync(join(canaryDir, 'canary.txt')).mtimeMs).toBe(canaryMtime);
  }

  async function expectStorageConsistent(): Promise<void> {
    const imgs = await runCli(['images'], { storage });
    expect(imgs.stderr).toBe('');
    expect(imgs.code).toBe(0);
    const tmp = join(storage.root, 'layers', '.tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    // only the storage's own directories beside root and run
    expect(readdirSync(storage.dir).sort()).toEqual(['root', 'run']);
  }

  /** Push `layers` as repo pullhostile/NAME; pull it; return the layer digests and the result. */
  async function pullHostile(name: string, layers: TarEntrySpec[][], env: Record<string, string> = {}) {
    const blobs: LayerBlob[] = layers.map((entries) => gzipLayer(makeTar(entries)));
    const repo = `pullhostile/${name}`;
    await pushLayers(h.registry, repo, 'latest', blobs, { architecture: hostArchitecture() });
    const r = await runCli(['pull', `${h.registry}/${repo}:latest`], { storage, env, timeoutMs: 120_000 });
    return { r, digests: blobs.map((b) => sha256(b.blob)) };
  }

  /** The last stderr line is our one-line error naming the layer and the entry. */
  function expectRefused(r: { code: number; stderr: string }, layer: string, entry: string, why: RegExp): void {
    expect(r.code).toBe(125);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^Error: /);
    expect(last).toContain(`layer ${layer}: entry ${JSON.stringify(entry)}: `);
    expect(last).toMatch(why);
  }

  it('refuses a `../` entry that climbs out of the layer directory', async () => {
    const name = `${up}/pwned`;
    const { r, digests } = await pullHostile('dotdot', [[{ name: 'ok.txt', content: 'fine\n' }, { name, content: 'escaped\n' }]]);
    expectRefused(r, digests[0]!, name, /escapes the layer directory/);
    expectCanaryUntouched();
    await expectStorageConsistent();
  });

  it('refuses an absolute entry name', async () => {
    const name = `${canaryDir}/canary.txt`;
    const { r, digests } = await pullHostile('absolute', [[{ name, content: 'overwritten\n' }]]);
    expectRefused(r, digests[0]!, name, /absolute path/);
    expectCanaryUntouched();
    await expectStorageConsistent();
  });

  it('refuses a write through a symlink planted earlier in the same layer', async () => {
    const { r, digests } = await pullHostile('symlink-same', [
      [
        { name: 'escape', type: '2', linkname: canaryDir },
        { name: 'escape/pwned', content: 'escaped\n' },
      ],
    ]);
    expectRefused(r, digests[0]!, 'escape/pwned', /would be written through the symlink "escape"/);
    expectCanaryUntouched();
    await expectStorageConsistent();
  });

  it('a write through a symlink of an earlier layer stays in its own layer (overlay: the directory hides the link)', async () => {
    // Each layer unpacks into its own empty directory, so layer 2's `escape/` is a new directory
    // there, never the symlink of layer 1: the pull succeeds and nothing reaches the canary.
    const base = layoutLayers(h.layout, 'busybox');
    const l1 = gzipLayer(makeTar([{ name: 'escape', type: '2', linkname: canaryDir }, { name: 'rel', type: '2', linkname: up }]));
    const l2 = gzipLayer(makeTar([{ name: 'escape/pwned', content: 'inside\n' }, { name: 'rel/pwned', content: 'inside too\n' }]));
    await pushLayers(h.registry, 'pullhostile/symlink-earlier', 'latest', [...base, l1, l2], { architecture: hostArchitecture() });
    const ref = `${h.registry}/pullhostile/symlink-earlier:latest`;
    const p = await runCli(['pull', '-q', ref], { storage, timeoutMs: 120_000 });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expectCanaryUntouched();
    const run = await runCli(['run', '--rm', ref, '/bin/sh', '-c', 'cat /escape/pwned /rel/pwned; test -L /escape || echo not-a-link'], { storage, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('inside\ninside too\nnot-a-link\n');
    expectCanaryUntouched();
    await runCli(['rmi', ref], { storage });
    await expectStorageConsistent();
  });

  it('refuses a hardlink to a file outside the layer (`../` and absolute)', async () => {
    const rel = await pullHostile('hardlink-dotdot', [[{ name: 'hl', type: '1', linkname: `${up}/canary.txt` }]]);
    expectRefused(rel.r, rel.digests[0]!, 'hl', /hardlink target .*escapes the layer directory/);
    const abs = await pullHostile('hardlink-abs', [[{ name: 'hl', type: '1', linkname: join(canaryDir, 'canary.txt') }]]);
    expectRefused(abs.r, abs.digests[0]!, 'hl', /hardlink target .*absolute path/);
    // a link to a path that exists only in the host, not earlier in the layer
    const host = await pullHostile('hardlink-host', [[{ name: 'etc/hl', type: '1', linkname: 'etc/passwd' }]]);
    expectRefused(host.r, host.digests[0]!, 'etc/hl', /not an earlier file of this layer/);
    expectCanaryUntouched();
    await expectStorageConsistent();
  });

  it('refuses a decompression bomb over TSC_CTR_MAX_LAYER_SIZE', async () => {
    // 64 MiB of zeros gzip to ~64 KiB; the cap is 8 MiB
    const big = Buffer.alloc(64 * 1024 * 1024);
    const { r, digests } = await pullHostile('bomb', [[{ name: 'zeros', content: big }]], { TSC_CTR_MAX_LAYER_SIZE: '8m' });
    expectRefused(r, digests[0]!, 'zeros', /exceeds the limit of 8388608 bytes/);
    await expectStorageConsistent();
    // the cap is checked: a bad value is a usage error, not a silent default
    const bad = await runCli(['pull', `${h.registry}/pullhostile/bomb:latest`], { storage, env: { TSC_CTR_MAX_LAYER_SIZE: 'lots' } });
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('invalid TSC_CTR_MAX_LAYER_SIZE "lots"');
    // the same image pulls under the default cap
    const ok = await runCli(['pull', '-q', `${h.registry}/pullhostile/bomb:latest`], { storage, timeoutMs: 120_000 });
    expect(ok.code).toBe(0);
    await runCli(['rmi', `${h.registry}/pullhostile/bomb:latest`], { storage });
  });

  it('after all of that, storage holds no trace of the hostile images and a good pull works', async () => {
    const q = await runCli(['images', '-q'], { storage });
    expect(q.stdout).toBe('');
    expect(readdirSync(join(storage.root, 'layers')).filter((d) => !d.startsWith('.'))).toEqual([]);
    const p = await runCli(['pull', '-q', h.fixtures.busybox!], { storage, timeoutMs: 120_000 });
    expect(p.code).toBe(0);
    const run = await runCli(['run', '--rm', h.fixtures.busybox!, 'echo', 'still-works'], { storage, timeoutMs: 120_000 });
    expect(run.stdout).toBe('still-works\n');
    expectCanaryUntouched();
  });
});

describe.skipIf(!harness().root)('pull: hostile layers (rootful)', () => {
  const h = harness();

  it('as root too, `../`, symlink and hardlink escapes are refused and the canary is untouched', async () => {
    const storage = newStorage({ asRoot: true });
    const canaryDir = mkdtempSync(join(h.runDir, 'canary-root-'));
    writeFileSync(join(canaryDir, 'canary.txt'), CANARY);
    const up = `${'../'.repeat(24)}${canaryDir.slice(1)}`;
    const cases: [string, TarEntrySpec[], string][] = [
      ['root-dotdot', [{ name: `${up}/pwned`, content: 'escaped\n' }], `${up}/pwned`],
      ['root-symlink', [{ name: 'escape', type: '2', linkname: canaryDir }, { name: 'escape/pwned', content: 'escaped\n' }], 'escape/pwned'],
      ['root-hardlink', [{ name: 'hl', type: '1', linkname: join(canaryDir, 'canary.txt') }], 'hl'],
    ];
    for (const [name, entries, entry] of cases) {
      const blob = gzipLayer(makeTar(entries));
      await pushLayers(h.registry, `pullhostile/${name}`, 'latest', [blob], { architecture: hostArchitecture() });
      const r = await runCli(['pull', `${h.registry}/pullhostile/${name}:latest`], { storage, timeoutMs: 120_000 });
      expect(r.code).toBe(125);
      expect(r.stderr.trim().split('\n').pop()).toContain(`layer ${sha256(blob.blob)}: entry ${JSON.stringify(entry)}: `);
    }
    expect(readdirSync(canaryDir)).toEqual(['canary.txt']);
    expect(readFileSync(join(canaryDir, 'canary.txt'), 'utf8')).toBe(CANARY);
    const tmp = join(storage.root, 'layers', '.tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    expect((await runCli(['images', '-q'], { storage })).stdout).toBe('');
  });
});

describe('pull: a blob whose bytes do not match its digest (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let reg: Registry;
  beforeAll(async () => {
    storage = newStorage();
    reg = await startRegistry({ parentDir: h.runDir });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('is refused with a digest error and nothing is committed', async () => {
    // uncompressed, so the tampered stream still parses as tar and only the digest can catch it
    const tar = makeTar([{ name: 'data.txt', content: 'the original content of the layer\n'.repeat(100) }]);
    const layer: LayerBlob = { blob: tar, mediaType: MT.ociLayer, diffId: sha256(tar) };
    const base = layoutLayers(h.layout, 'busybox');
    await pushLayers(reg.host, 'corrupt/img', 'latest', [...base, layer], { architecture: hostArchitecture() });
    const hex = sha256(tar).slice(7);
    const file = join(reg.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(file);
    const at = bytes.indexOf('original');
    bytes.write('tampered', at); // same size: only the digest differs
    writeFileSync(file, bytes);

    const ref = `${reg.host}/corrupt/img:latest`;
    const r = await runCli(['pull', '--tls-verify=false', ref], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(125);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^Error: /);
    expect(last).toMatch(new RegExp(`^Error: .*layer sha256:${hex}: digest mismatch: expected sha256:${hex}, got sha256:[0-9a-f]{64}$`));
    // nothing of the bad layer committed, no image, no temp dir. The intact, verified base layer
    // may stay (a retry need not fetch it again): unreferenced, the next prune collects it.
    expect((await runCli(['images', '-q'], { storage })).stdout).toBe('');
    const diffIds = () =>
      readdirSync(join(storage.root, 'layers'))
        .filter((d) => !d.startsWith('.'))
        .map((d) => (JSON.parse(readFileSync(join(storage.root, 'layers', d, 'layer.json'), 'utf8')) as { diffID: string }).diffID);
    expect(diffIds()).not.toContain(sha256(tar));
    expect(base.map((l) => l.diffId)).toEqual(expect.arrayContaining(diffIds()));
    const prune = await runCli(['image', 'prune', '-f'], { storage });
    expect(prune.code).toBe(0);
    expect(diffIds()).toEqual([]);
    const tmp = join(storage.root, 'layers', '.tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    // once the registry serves the right bytes again, the same pull works
    writeFileSync(file, tar);
    const ok = await runCli(['pull', '-q', '--tls-verify=false', ref], { storage, timeoutMs: 120_000 });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});
