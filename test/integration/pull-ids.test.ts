/**
 * An image with files owned by ids beyond the test user's subordinate range (Podman fails such a
 * pull with "potentially insufficient UIDs or GIDs available in user namespace"): the pull
 * succeeds, those files get the overflow id, a warning names the image and the count, and
 * `system check` explains how to widen the range.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hostArchitecture } from '../harness/fixtures.js';
import { harness, newStorage, runCli, type Storage } from '../harness/index.js';
import { gzipLayer, layoutLayers, makeTar, pushLayers } from './support/oci-push.js';

function lineOf(stdout: string, name: string): { line: string; next: string } {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => /^\[(?: ok |WARN|FAIL|skip)\] /.test(l) && l.slice(7).startsWith(`${name}:`));
  if (i < 0) throw new Error(`no ${name} line in:\n${stdout}`);
  return { line: lines[i]!, next: lines[i + 1] ?? '' };
}

describe.skipIf(!harness().user.subuid)('pull: ids beyond the subuid range (rootless)', () => {
  const h = harness();
  let storage: Storage;
  let ref: string;
  // the namespace maps 0 (the user) and 1…count (the subordinate ids)
  const count = Math.min(h.user.subuid?.count ?? 0, h.user.subgid?.count ?? 0);
  const beyond = count + 5000;

  beforeAll(async () => {
    storage = newStorage();
    const layer = gzipLayer(
      makeTar([
        { name: 'ids/', type: '5', mode: 0o755 },
        { name: 'ids/beyond-uid', content: 'far\n', uid: beyond, gid: 1000 },
        { name: 'ids/beyond-both', content: 'far\n', uid: beyond, gid: beyond + 1 },
        { name: 'ids/beyond-dir/', type: '5', mode: 0o750, uid: beyond, gid: beyond },
        { name: 'ids/app', content: 'near\n', uid: 1000, gid: 1000 },
        { name: 'ids/top', content: 'the last mapped id\n', uid: count, gid: count },
      ]),
    );
    await pushLayers(h.registry, 'pullids/far', 'latest', [...layoutLayers(h.layout, 'busybox'), layer], { architecture: hostArchitecture() });
    ref = `${h.registry}/pullids/far:latest`;
  });

  it('system check is ok before any such image is stored', async () => {
    const r = await runCli(['system', 'check'], { storage });
    expect(lineOf(r.stdout, 'image-ids').line).toBe(`[ ok ] image-ids: no stored image has files owned by ids beyond the ${count} your user namespace maps (0-${count})`);
  });

  it('the pull succeeds with a warning naming the image and the count', async () => {
    const r = await runCli(['pull', ref], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(r.stderr).toContain(`image ${ref}: 3 files owned by ids beyond your subordinate id range (up to ${beyond + 1}) got the overflow id 65534`);
    expect(r.stderr).toContain('tsc-ctr system check');
  });

  it('those files have the overflow id in the container; mapped ids are kept', async () => {
    const r = await runCli(['run', '--rm', ref, 'stat', '-c', '%n %u:%g', '/ids/beyond-uid', '/ids/beyond-both', '/ids/beyond-dir', '/ids/app', '/ids/top'], { storage, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      ['/ids/beyond-uid 65534:1000', '/ids/beyond-both 65534:65534', '/ids/beyond-dir 65534:65534', '/ids/app 1000:1000', `/ids/top ${count}:${count}`].join('\n') + '\n',
    );
  });

  it('system check names the image, the highest id and how to widen the range', async () => {
    const r = await runCli(['system', 'check'], { storage });
    const { line, next } = lineOf(r.stdout, 'image-ids');
    expect(line).toBe(
      `[WARN] image-ids: 3 file(s) of ${ref} are owned by ids up to ${beyond + 1}, beyond the ids 0-${count} your user namespace maps: they were given the overflow id 65534; widen your subordinate range, stop your containers and the pause process, and pull again`,
    );
    const fix = /^\s+fix: sudo usermod --add-subuids (\d+)-(\d+) --add-subgids \1-\2 (\S+); kill \$\(cat (\S+)\/pause\.pid\); tsc-ctr rmi (\S+); tsc-ctr pull (\S+)$/.exec(next);
    expect(fix, next).not.toBeNull();
    const [, start, end, user, , rmi, pull] = fix!;
    // enough new ids to reach the highest one
    expect(Number(end) - Number(start) + 1 + count).toBeGreaterThanOrEqual(beyond + 1);
    expect(user).toBe(h.user.name);
    expect([rmi, pull]).toEqual([ref, ref]);
    // the suggested range overlaps nobody's
    const s = Number(start);
    const e = Number(end);
    expect(s > h.user.subuid!.start + h.user.subuid!.count - 1 || e < h.user.subuid!.start).toBe(true);
  });

  it('once the image is removed, system check is ok again', async () => {
    expect((await runCli(['rmi', ref], { storage })).code).toBe(0);
    const r = await runCli(['system', 'check'], { storage });
    expect(lineOf(r.stdout, 'image-ids').line).toMatch(/^\[ ok \] image-ids: no stored image/);
  });
});
