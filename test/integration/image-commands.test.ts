import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newStorage, runCli, type Storage } from '../harness/index.js';

// The image metadata commands on a really pulled image, rootless: layers hold files owned by
// subordinate ids, so removing them goes through the user namespace.
describe('image commands (rootless, pulled image)', () => {
  let storage: Storage;
  let id: string;
  beforeAll(async () => {
    storage = newStorage();
    const p = await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 });
    expect(p.code, p.stderr).toBe(0);
    id = p.stdout.trim();
  });

  it('images, image inspect and system df describe it', async () => {
    const im = await runCli(['images'], { storage });
    expect(im.code, im.stderr).toBe(0);
    expect(im.stdout).toMatch(new RegExp(`^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\\ndocker\\.io/library/alpine +latest +${id.slice(0, 12)} +.+ ago +[0-9.]+ [kMG]?B\\n$`));
    const ins = await runCli(['image', 'inspect', '--format', '{{.Id}} {{.Os}} {{.GraphDriver.Name}} {{.GraphDriver.Data.UpperDir}}', 'alpine'], { storage });
    const layers = JSON.parse(readFileSync(join(storage.root, 'images.json'), 'utf8'))[0].layers as string[];
    expect(ins.stdout).toBe(`${id} linux overlay ${join(storage.root, 'layers', layers[layers.length - 1]!, 'diff')}\n`);
    const df = await runCli(['system', 'df', '--format', '{{.Type}} {{.Total}} {{.Active}}'], { storage });
    expect(df.stdout).toBe('Images 1 0\nContainers 0 0\nLocal Volumes 0 0\n');
  });

  it('tag, then rmi of both names removes the image and its layers', async () => {
    expect((await runCli(['tag', 'alpine', 'mine'], { storage })).code).toBe(0);
    const one = await runCli(['rmi', 'alpine'], { storage });
    expect(one.stdout).toBe('Untagged: docker.io/library/alpine:latest\n');
    const r = await runCli(['rmi', 'mine'], { storage });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `Untagged: localhost/mine:latest\nDeleted: ${id}\n`, '']);
    expect(readdirSync(join(storage.root, 'layers'))).toEqual(['.tmp']);
    expect(readdirSync(join(storage.root, 'layers', '.tmp'))).toEqual([]);
    expect(readdirSync(join(storage.root, 'l'))).toEqual([]);
    expect(readdirSync(join(storage.root, 'blobs', 'sha256'))).toEqual([]);
  });
});
