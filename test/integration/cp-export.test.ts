import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, storageEnv, userTempDir, type Storage } from '../harness/index.js';

describe('cp and export (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const image = 'alpine';
  const cli = () => join(h.repo, 'bin', 'tsc-ctr');
  const sh = (script: string, input?: string) => runAsUser('sh', ['-c', script], { env: { ...storageEnv(storage), TSC: cli() }, timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
  let dir: string;
  const own = (p: string) => {
    if (h.user.created) chownSync(p, h.user.uid, h.user.gid);
    return p;
  };
  const put = (p: string, text: string) => {
    writeFileSync(p, text);
    own(p);
  };

  beforeAll(async () => {
    storage = newStorage();
    const p = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
    expect(p.code).toBe(0);
    dir = userTempDir('cp-');
    put(join(dir, 'hello.txt'), 'hello\n');
    // a container that made files of its own: one owned by 1000, a deleted image file, escape links
    const r = await runCli(
      ['run', '--name', 'made', image, 'sh', '-c', 'echo app > /home/app/out && chown 1000:1000 /home/app/out && rm /etc/group && ln -s / /escape && ln -s ../../../../../../../tmp /up'],
      { storage },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.skipIf(!h.user.created)('copies into a running container: owned by root inside', async () => {
    const d = await runCli(['run', '-d', '--name', 'live', image, 'sh', '-c', 'while [ ! -f /tmp/hello.txt ]; do sleep 0.1; done; sleep 0.3; stat -c "%u:%g" /tmp/hello.txt; cat /tmp/hello.txt'], { storage });
    expect(d.code).toBe(0);
    const c = await runCli(['cp', join(dir, 'hello.txt'), 'live:/tmp/'], { storage });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    await runCli(['wait', 'live'], { storage, timeoutMs: 60_000 });
    const logs = await runCli(['logs', 'live'], { storage });
    expect(logs.stdout).toBe('0:0\nhello\n');
  });

  it.skipIf(!h.user.created)('copies into a stopped container: owned by its primary user, unmounted after', async () => {
    const c = await runCli(['create', '--name', 'asapp', '-u', '1000:1000', image, 'sh', '-c', 'stat -c "%u:%g %n" /home/app/hello.txt /home/app/keep.txt'], { storage });
    expect(c.code).toBe(0);
    expect((await runCli(['cp', join(dir, 'hello.txt'), 'asapp:/home/app/'], { storage })).code).toBe(0);
    expect((await runCli(['cp', '--archive=false', join(dir, 'hello.txt'), 'asapp:/home/app/keep.txt'], { storage })).code).toBe(0);
    const s = await runCli(['start', '-a', 'asapp'], { storage });
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe('1000:1000 /home/app/hello.txt\n0:0 /home/app/keep.txt\n');
    const m = await sh('"$TSC" unshare "$TSC" mount | wc -l');
    expect(m.stdout.trim()).toBe('0');
  });

  it.skipIf(!h.user.created)('copies out of a stopped container: owned by the user on the host; Podman path rules', async () => {
    const out = userTempDir('out-');
    const f = await runCli(['cp', 'made:/home/app/out', join(out, 'file')], { storage });
    expect(f.stderr).toBe('');
    expect(f.code).toBe(0);
    expect(readFileSync(join(out, 'file'), 'utf8')).toBe('app\n');
    expect(statSync(join(out, 'file')).uid).toBe(h.user.uid);
    // a directory into an existing directory: under its own name
    expect((await runCli(['cp', 'made:/home/app', out], { storage })).code).toBe(0);
    expect(readdirSync(join(out, 'app'))).toEqual(['out']);
    // SRC/. : the contents only
    const dot = join(out, 'dot');
    mkdirSync(dot);
    own(dot);
    expect((await runCli(['cp', 'made:/home/app/.', dot], { storage })).code).toBe(0);
    expect(readdirSync(dot)).toEqual(['out']);
    // a directory to a path that does not exist: created with the contents
    expect((await runCli(['cp', 'made:/home/app', join(out, 'new')], { storage })).code).toBe(0);
    expect(readdirSync(join(out, 'new'))).toEqual(['out']);
    // a directory onto a file: refused
    const bad = await runCli(['cp', 'made:/home/app', join(out, 'file')], { storage });
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/^Error: cannot copy directory/);
    // relative host paths are from the working directory
    const rel = await runAsUser(cli(), ['cp', 'made:/home/app/out', 'rel.txt'], { env: storageEnv(storage), cwd: out });
    expect(rel.code).toBe(0);
    expect(existsSync(join(out, 'rel.txt'))).toBe(true);
  });

  it.skipIf(!h.user.created)('never leaves the container root through a symlink', async () => {
    const secret = join(dir, 'secret');
    put(secret, 'host secret\n');
    const out = userTempDir('esc-');
    const r = await runCli(['cp', `made:/escape${secret}`, join(out, 's')], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/could not be found on container made/);
    expect(existsSync(join(out, 's'))).toBe(false);
    // /up points "above" the root: it lands in the container's /tmp, not the host's
    const name = `cp-escape-${process.pid}.txt`;
    put(join(dir, name), 'in\n');
    const i = await runCli(['cp', join(dir, name), 'made:/up/'], { storage });
    expect(i.code).toBe(0);
    expect(existsSync(join('/tmp', name))).toBe(false);
    const back = await runCli(['cp', `made:/tmp/${name}`, join(out, 'back')], { storage });
    expect(back.code).toBe(0);
    expect(readFileSync(join(out, 'back'), 'utf8')).toBe('in\n');
  });

  it.skipIf(!h.user.created)('tar streams: - to stdout and from stdin', async () => {
    const t = await sh('"$TSC" cp made:/home/app - | tar tvf -');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/1000\/1000 .* app\/out\n/);
    const src = join(dir, 'tree');
    mkdirSync(src);
    own(src);
    put(join(src, 'a.txt'), 'A\n');
    const x = await sh(`tar cf - -C ${src} a.txt | "$TSC" cp - made:/root && "$TSC" cp made:/root/a.txt -  | tar xOf -`);
    expect(x.stderr).toBe('');
    expect(x.stdout).toBe('A\n');
  });

  it.skipIf(!h.user.created)('export: the image files and the container changes, with container ids', async () => {
    const out = userTempDir('exp-');
    const e = await runCli(['export', '-o', join(out, 'made.tar'), 'made'], { storage });
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const t = await sh(`tar tvf ${join(out, 'made.tar')}`);
    expect(t.code).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines.some((l) => / bin\/busybox$/.test(l))).toBe(true);
    expect(lines.some((l) => / 1000\/1000 .* home\/app\/out$/.test(l))).toBe(true);
    expect(lines.some((l) => / 0\/0 .* etc\/passwd$/.test(l))).toBe(true);
    expect(lines.some((l) => / etc\/group$/.test(l))).toBe(false);
    const piped = await sh('"$TSC" export made | tar tf - | grep -c home/app/out');
    expect(piped.stdout.trim()).toBe('1');
  });
});

describe('cp, export and mount (rootful)', () => {
  const h = harness();
  it.skipIf(!h.root)('copies both ways, exports and mounts without a user namespace', async () => {
    const storage = newStorage({ asRoot: true });
    expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
    expect((await runCli(['create', '--name', 'rf', '-u', '1000:1000', 'alpine', 'stat', '-c', '%u:%g', '/home/app/in.txt'], { storage })).code).toBe(0);
    const dir = mkdtempSync(join(h.runDir, 'rf-'));
    writeFileSync(join(dir, 'in.txt'), 'in\n');
    const c = await runCli(['cp', join(dir, 'in.txt'), 'rf:/home/app/'], { storage });
    expect(c.stderr).toBe('');
    expect((await runCli(['start', '-a', 'rf'], { storage })).stdout).toBe('1000:1000\n');
    expect((await runCli(['cp', 'rf:/home/app/in.txt', join(dir, 'out.txt')], { storage })).code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('in\n');
    expect((await runCli(['export', '-o', join(dir, 'rf.tar'), 'rf'], { storage })).code).toBe(0);
    const t = await runAsUser('tar', ['tvf', join(dir, 'rf.tar')], { asRoot: true });
    expect(t.stdout).toMatch(/1000\/1000 .* home\/app\/in\.txt\n/);
    const m = await runCli(['mount', 'rf'], { storage });
    expect(m.stderr).toBe('');
    expect(existsSync(join(m.stdout.trim(), 'home/app/in.txt'))).toBe(true);
    expect((await runCli(['umount', 'rf'], { storage })).stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(m.stdout.trim(), 'home/app/in.txt'))).toBe(false);
  });
});
