// Unpacking as root of a user namespace (ids 0–65535 mapped, no capabilities over the host):
// what a rootless pull meets. Device nodes cannot be made and are skipped and counted, whiteouts
// (0/0 char devices) still can, opaque directories use user.overlay.opaque, trusted.* xattrs are
// refused (noted, not fatal), owners beyond the mapping become 65534.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lgetxattr } from '../../../src/native/index.js';
import { bundle, cleanupTemps, isRoot, pyTar, repo, runInUserns, snapshot, tempDir } from './helpers.js';

afterAll(cleanupTemps);

const SCRIPT = `
import { createReadStream } from 'node:fs';
import { unpackLayer } from ${JSON.stringify(join(repo, 'src/storage/unpack/index.ts'))};
{
  const [tar, dest, opts] = process.argv.slice(2);
  const debug = [];
  try {
    const r = await unpackLayer(createReadStream(tar), dest, { ...JSON.parse(opts), onDebug: (m) => debug.push(m) });
    process.stdout.write(JSON.stringify({ result: r, debug }) + '\\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: e.message, code: e.code, debug }) + '\\n');
  }
  process.exit(0);
}
`;

/** v2 file capability: cap_net_bind_service (10) permitted+effective. */
const cap = (() => {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0);
  b.writeUInt32LE(1 << 10, 4);
  return b;
})();

describe.skipIf(!isRoot)('unpacking inside a user namespace', () => {
  let script: string;
  beforeAll(async () => {
    script = await bundle(SCRIPT);
  });

  async function run(members: object[], opts: object) {
    const tar = pyTar(join(tempDir(), 'l.tar'), members);
    const dest = tempDir();
    const out = await runInUserns(script, [tar, dest, JSON.stringify({ compression: 'none', rootless: true, layerName: 'sha256:ns', ...opts })]);
    expect(out.code, out.stderr).toBe(0);
    return { dest, ...(JSON.parse(out.stdout) as { result?: Record<string, number>; error?: string; code?: string; debug: string[] }) };
  }

  it('skips devices, keeps whiteouts, marks opaque dirs with user.overlay.opaque, refuses trusted.* xattrs', async () => {
    const { dest, result, error, debug } = await run(
      [
        { name: 'dev/', type: 'dir' },
        { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
        { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
        { name: 'run/fifo', type: 'fifo', mode: 0o600, uid: 1000 },
        { name: '.wh.gone', data: '', uid: 1000, gid: 1000 },
        { name: 'opq/', type: 'dir', mode: 0o750 },
        { name: 'opq/.wh..wh..opq', data: '' },
        { name: 'x', data: 'x', pax: { 'SCHILY.xattr.trusted.t': 'no', 'SCHILY.xattr.user.u': 'yes' } },
        { name: 'ping', data: 'elf', mode: 0o755, pax: { 'SCHILY.xattr.security.capability': cap.toString('latin1') } },
        { name: 'mine', data: 'm', uid: 1000, gid: 1001, mode: 0o4755 },
        { name: 'far', data: 'f', uid: 70000, gid: 80000 },
      ],
      { idLimit: { uidMax: 65535, gidMax: 65535 } },
    );
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ skippedDevices: 2, skippedXattrs: 1, overflowIds: 1 });
    expect(debug.join('\n')).toMatch(/device dev\/null \(1:3\) skipped/);
    expect(debug.join('\n')).toMatch(/xattr trusted.t not set/);
    const s = snapshot(dest, { times: false });
    expect(s.has('dev/null')).toBe(false);
    expect(s.has('dev/sda')).toBe(false);
    expect(s.get('run/fifo')).toMatchObject({ type: 'fifo', mode: '600', uid: 1000 });
    expect(s.get('gone')).toMatchObject({ type: 'char', rdev: '0', uid: 1000, gid: 1000 });
    expect(s.get('opq')).toMatchObject({ type: 'dir', mode: '750', xattrs: { 'user.overlay.opaque': Buffer.from('y').toString('hex') } });
    expect(s.get('x')!.xattrs).toEqual({ 'user.u': Buffer.from('yes').toString('hex') });
    // a namespaced (v3) capability: the kernel converted it for our namespace root
    expect(lgetxattr(join(dest, 'ping'), 'security.capability')).toBeDefined();
    expect(s.get('mine')).toMatchObject({ uid: 1000, gid: 1001, mode: '4755' });
    expect(s.get('far')).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('fails with the layer, the entry and a hint when an owner is not mapped and no limit was given', async () => {
    const { error, code } = await run([{ name: 'far', data: 'f', uid: 70000, gid: 0 }], {});
    expect(code).toBe('TSC_ERR_ID_MAPPING');
    expect(error).toMatch(/^layer sha256:ns: entry "far": potentially insufficient UIDs or GIDs available in user namespace \(requested 70000:0\)/);
  });

  it('with chown off (a single-id namespace) owners are not applied at all', async () => {
    const { dest, result, error } = await run([{ name: 'far', data: 'f', uid: 70000, gid: 70000, mode: 0o640 }], { chown: false });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ overflowIds: 0 });
    expect(snapshot(dest, { times: false }).get('far')).toMatchObject({ uid: 0, gid: 0, mode: '640' });
  });
});
