import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, type Storage } from '../harness/index.js';

describe('pull (rootless, loopback registry)', () => {
  const h = harness();
  let storage: Storage;
  beforeAll(() => {
    storage = newStorage();
  });

  it('pulls a short name through the docker.io mirror and prints the image id last', async () => {
    const r = await runCli(['pull', 'alpine'], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    // not a TTY: plain lines, no escape codes
    expect(r.stderr).toContain('Trying to pull docker.io/library/alpine:latest...');
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const images = JSON.parse(readFileSync(join(storage.root, 'images.json'), 'utf8'));
    expect(images[0].names).toContain('docker.io/library/alpine:latest');
  });

  it('pulls by tag and by digest; the same layers are stored once', async () => {
    const digest = JSON.parse((await runAsUser('skopeo', ['inspect', '--tls-verify=false', `docker://${h.fixtures.busybox}`])).stdout).Digest;
    const a = await runCli(['pull', '-q', `${h.registry}/tsc/busybox:latest`], { storage });
    const b = await runCli(['pull', '-q', `${h.registry}/tsc/busybox@${digest}`], { storage });
    expect(a.stderr + b.stderr).toBe('');
    expect(a.stdout).toBe(b.stdout);
    const layerDirs = readdirSync(join(storage.root, 'layers')).filter((d) => !d.startsWith('.'));
    expect(layerDirs).toHaveLength(1);
  });

  it('keeps ownership from the image: /home/app is uid 1000 inside the namespace', async () => {
    const id = (await runCli(['pull', '-q', 'alpine'], { storage })).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const layer = readdirSync(join(storage.root, 'layers')).find((d) => !d.startsWith('.'))!;
    const r = await runCli(['unshare', 'stat', '-c', '%u:%g %a', join(storage.root, 'layers', layer, 'diff', 'home', 'app')], { storage });
    expect(r.stdout.trim()).toBe('1000:1000 755');
    const bb = await runCli(['unshare', 'stat', '-c', '%u %a', join(storage.root, 'layers', layer, 'diff', 'bin', 'busybox')], { storage });
    expect(bb.stdout.trim()).toBe('0 755');
  });

  it('fails with a clear one-line error for a missing image, and leaves storage consistent', async () => {
    const r = await runCli(['pull', `${h.registry}/tsc/nope:latest`], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `Error: initializing source docker://${h.registry}/tsc/nope:latest: reading manifest latest in ${h.registry}/tsc/nope: manifest unknown`,
    );
    expect(existsSync(join(storage.root, 'layers', '.tmp')) ? readdirSync(join(storage.root, 'layers', '.tmp')) : []).toEqual([]);
  });

  it('refuses an invalid reference', async () => {
    const r = await runCli(['pull', 'Alpine:latest'], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: invalid reference "Alpine:latest": repository name must be lowercase/m);
  });
});
