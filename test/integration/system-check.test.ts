import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runCli } from '../harness/index.js';

interface CheckResult {
  Name: string;
  Status: 'ok' | 'warning' | 'problem' | 'skipped';
  Detail: string;
  Fix: string;
}

/** The output line of one check, and the line after it (its fix, if any). */
function lineOf(stdout: string, name: string): { line: string; next: string } {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => /^\[(?: ok |WARN|FAIL|skip)\] /.test(l) && l.slice(7).startsWith(`${name}:`));
  expect(i, `no line for ${name} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  return { line: lines[i]!, next: lines[i + 1] ?? '' };
}

const crunInstalled = existsSync('/usr/bin/crun');
const runcInstalled = existsSync('/usr/sbin/runc') || existsSync('/usr/bin/runc');
/** This project's machine: cgroup v1 hybrid, where crun refuses rootless containers and runc works. */
const hybrid = existsSync('/sys/fs/cgroup/unified');

describe('tsc-ctr system check', () => {
  const h = harness();
  const storage = newStorage();
  const scratch = mkdtempSync(join(tmpdir(), 'tsc-check-'));
  chmodSync(scratch, 0o755);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('exits 0 and says everything needed is there (crun refused, runc used)', async () => {
    const r = await runCli(['system', 'check'], { storage });
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, 'mode').line).toContain(`rootless: user "${h.user.name}" (uid ${h.user.uid}`);
    expect(lineOf(r.stdout, 'newuidmap').line).toMatch(/^\[ ok \] newuidmap: \/usr\/bin\/newuidmap \(setuid root\)$/);
    expect(lineOf(r.stdout, 'subuid').line).toMatch(new RegExp(`^\\[ ok \\] subuid: \\d+:\\d+ for user "${h.user.name}" \\(uid ${h.user.uid}\\) in /etc/subuid \\(\\d+ ids\\)$`));
    expect(lineOf(r.stdout, 'userns').line).toMatch(/^\[ ok \]/);
    expect(lineOf(r.stdout, 'idmap').line).toMatch(/^\[ ok \] idmap: newuidmap\/newgidmap mapped \d+ uids/);
    expect(lineOf(r.stdout, 'overlay').line).toMatch(/^\[ ok \] overlay: native overlay mounts in a user namespace/);
    expect(lineOf(r.stdout, 'dev-tun').line).toMatch(/^\[ ok \]/);
    expect(lineOf(r.stdout, 'conmon').line).toMatch(/^\[ ok \] conmon: \S+ \(conmon version \d+\.\d+/);
    for (const l of r.stdout.trimEnd().split('\n')) expect(l).toMatch(/^(\[(?: ok |WARN|FAIL|skip)\] [a-z0-9-]+: |       fix: )/);
    if (hybrid && crunInstalled && runcInstalled) {
      // (c) a real runtime that cannot start a container here: its own words, and the one used instead
      const crun = lineOf(r.stdout, 'crun').line;
      expect(crun).toMatch(/^\[WARN\] crun: cannot run containers here: .*cgroup.*; runc will be used$/);
      expect(lineOf(r.stdout, 'runc').line).toMatch(/^\[ ok \] runc: \S+ \(runc version [^)]+\) starts containers here; will be used$/);
      expect(lineOf(r.stdout, 'cgroups').line).toMatch(/^\[WARN\] cgroups: v1 \(hybrid\).*resource limits \(--memory, --cpus\) are not available/);
    }
    // the probe results are cached in the run root with their reasons
    const cache = JSON.parse(readFileSync(join(storage.runroot, 'runtime-probe.json'), 'utf8'));
    const entries = Object.entries(cache.runtimes) as [string, { ok: boolean; error?: string }][];
    expect(entries.some(([p, e]) => p.endsWith('/runc') && e.ok)).toBe(true);
    if (hybrid && crunInstalled) expect(entries.find(([p]) => p.endsWith('/crun'))![1]).toMatchObject({ ok: false, error: expect.stringMatching(/cgroup/) });
  });

  it('--format json gives [{Name, Status, Detail, Fix}] for every check', async () => {
    const r = await runCli(['system', 'check', '--format', 'json'], { storage });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as CheckResult[];
    expect(list.map((c) => c.Name)).toEqual(expect.arrayContaining(['newuidmap', 'newgidmap', 'subuid', 'subgid', 'userns', 'overlay', 'dev-fuse', 'dev-tun', 'cgroups', 'runtime-dir', 'conmon', 'pasta', 'slirp4netns', 'catatonit', 'runc']));
    for (const c of list) {
      expect(Object.keys(c)).toEqual(['Name', 'Status', 'Detail', 'Fix']);
      expect(['ok', 'warning', 'problem', 'skipped']).toContain(c.Status);
    }
    expect(list.filter((c) => c.Status === 'problem')).toEqual([]);
  });

  it('(a) no subuid range: exit 1, the problem named, and a usermod fix with a free range', async () => {
    // Other users' ranges only: the fix must pick a range that overlaps none of them.
    const subuid = join(scratch, 'subuid');
    const subgid = join(scratch, 'subgid');
    writeFileSync(subuid, `# test\nsomeone:100000:65536\n${h.user.uid + 1}:165536:65536\n`);
    writeFileSync(subgid, 'someone:100000:65536\nother:231072:65536\n');
    const r = await runCli(['system', 'check'], { storage, env: { TSC_CTR_SUBUID_FILE: subuid, TSC_CTR_SUBGID_FILE: subgid } });
    expect(r.code).toBe(1);
    const u = lineOf(r.stdout, 'subuid');
    expect(u.line).toBe(`[FAIL] subuid: no range for user "${h.user.name}" (uid ${h.user.uid}) in ${subuid}`);
    expect(u.next).toBe(`       fix: sudo usermod --add-subuids 296608-362143 --add-subgids 296608-362143 ${h.user.name}`);
    expect(lineOf(r.stdout, 'subgid').line).toBe(`[FAIL] subgid: no range for user "${h.user.name}" (uid ${h.user.uid}) in ${subgid}`);
    expect(lineOf(r.stdout, 'idmap').line).toBe('[skip] idmap: skipped: fix subuid, subgid first');
  });

  it('(a) a range too small is a warning with the missing ids as the fix', async () => {
    const subuid = join(scratch, 'subuid-small');
    writeFileSync(subuid, `${h.user.name}:100000:1000\n`);
    const r = await runCli(['system', 'check'], { storage, env: { TSC_CTR_SUBUID_FILE: subuid } });
    const u = lineOf(r.stdout, 'subuid');
    expect(u.line).toMatch(/^\[WARN\] subuid: 100000:1000 for user .* only 1000 ids; images with ids up to 65534 \(nobody\) need 65536$/);
    expect(u.next).toMatch(/^ {7}fix: sudo usermod --add-subuids \d+-\d+ /);
  });

  it('(b) newuidmap/newgidmap missing from PATH: exit 1, both named, with the package to install', async () => {
    // A PATH with every program of /usr/bin except the two id mappers.
    const bin = join(scratch, 'bin');
    rmSync(bin, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin, { mode: 0o755 });
    for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
      if (!existsSync(dir) || (dir === '/bin' && lstatSync(dir).isSymbolicLink())) continue;
      for (const f of readdirSync(dir)) {
        if (f === 'newuidmap' || f === 'newgidmap' || existsSync(join(bin, f))) continue;
        symlinkSync(join(dir, f), join(bin, f));
      }
    }
    const r = await runCli(['system', 'check'], { storage, env: { PATH: `${bin}:/usr/sbin:/sbin` } });
    expect(r.code).toBe(1);
    const u = lineOf(r.stdout, 'newuidmap');
    expect(u.line).toMatch(/^\[FAIL\] newuidmap: newuidmap not found on PATH \(.*\): needed to map your subordinate ids$/);
    expect(u.next).toBe('       fix: sudo apt-get install uidmap');
    expect(lineOf(r.stdout, 'newgidmap').line).toMatch(/^\[FAIL\] newgidmap: newgidmap not found on PATH/);
    // everything else still found through the same PATH
    expect(lineOf(r.stdout, 'conmon').line).toMatch(/^\[ ok \]/);
    expect(lineOf(r.stdout, 'util-linux').line).toMatch(/^\[ ok \]/);
  });

  it.skipIf(!existsSync('/usr/sbin/setcap'))('(b) file capabilities count; a copy without setuid or capabilities does not', async () => {
    // Copies of the real tools: newuidmap with cap_setuid=ep (as Fedora ships it), newgidmap with nothing.
    const bin = join(scratch, 'capbin');
    const { copyFileSync, mkdirSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    mkdirSync(bin, { mode: 0o755 });
    copyFileSync('/usr/bin/newuidmap', join(bin, 'newuidmap'));
    copyFileSync('/usr/bin/newgidmap', join(bin, 'newgidmap'));
    chmodSync(join(bin, 'newuidmap'), 0o755);
    chmodSync(join(bin, 'newgidmap'), 0o755);
    execFileSync('/usr/sbin/setcap', ['cap_setuid=ep', join(bin, 'newuidmap')]);
    const r = await runCli(['system', 'check'], { storage, env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin` } });
    expect(r.code).toBe(1);
    expect(lineOf(r.stdout, 'newuidmap').line).toBe(`[ ok ] newuidmap: ${join(bin, 'newuidmap')} (file capability cap_setuid=ep)`);
    const g = lineOf(r.stdout, 'newgidmap');
    expect(g.line).toBe(`[FAIL] newgidmap: ${join(bin, 'newgidmap')} is neither setuid root nor has file capabilities: it cannot write another process's id map`);
    expect(g.next).toBe(`       fix: sudo chown root:root ${join(bin, 'newgidmap')} && sudo chmod u+s ${join(bin, 'newgidmap')}`);
    // With cap_setgid on newgidmap too, the real mapping works through the capabilities alone.
    execFileSync('/usr/sbin/setcap', ['cap_setgid=ep', join(bin, 'newgidmap')]);
    const ok = await runCli(['system', 'check'], { storage, env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin` } });
    expect(lineOf(ok.stdout, 'newgidmap').line).toBe(`[ ok ] newgidmap: ${join(bin, 'newgidmap')} (file capability cap_setgid=ep)`);
    expect(lineOf(ok.stdout, 'idmap').line).toMatch(/^\[ ok \] idmap: /);
    expect(ok.code, ok.stdout).toBe(0);
  });

  it.skipIf(!(hybrid && crunInstalled && runcInstalled))('(c) --runtime crun: the runtime asked for cannot start containers here', async () => {
    const r = await runCli(['--runtime', 'crun', 'system', 'check'], { storage });
    expect(r.code).toBe(1);
    const c = lineOf(r.stdout, 'crun');
    expect(c.line).toMatch(/^\[FAIL\] crun: cannot run containers here: .*cgroup.* \(asked for with --runtime\)$/);
    expect(c.next).toBe('       fix: use --runtime runc');
  });

  it('a Go template runs once per check', async () => {
    const r = await runCli(['system', 'check', '--format', '{{.Name}}={{.Status}}'], { storage });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContain('newuidmap=ok');
  });

  it('as root: rootful mode, the rootless-only checks skipped', async () => {
    const rootStore = newStorage({ asRoot: true });
    const r = await runCli(['system', 'check'], { storage: rootStore });
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, 'mode').line).toMatch(/^\[ ok \] mode: rootful/);
    for (const n of ['newuidmap', 'newgidmap', 'subuid', 'subgid', 'userns', 'idmap']) {
      expect(lineOf(r.stdout, n).line).toMatch(new RegExp(`^\\[skip\\] ${n}: skipped \\(rootful\\)`));
    }
    rmSync(join(rootStore.root, '..'), { recursive: true, force: true });
  });
});

describe('tsc-ctr info', () => {
  const h = harness();
  const storage = newStorage();

  it('--format json has Podman\'s shape; rootless for the user', async () => {
    const r = await runCli(['info', '--format', 'json'], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(Object.keys(info).sort()).toEqual(['host', 'plugins', 'registries', 'store', 'version']);
    expect(info.host.security.rootless).toBe(true);
    expect(info.host.os).toBe('linux');
    expect(info.host.idMappings.uidmap[0]).toEqual({ container_id: 0, host_id: h.user.uid, size: 1 });
    const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${h.user.name}:`));
    if (line) {
      const [, start, count] = line.split(':');
      expect(info.host.idMappings.uidmap[1]).toEqual({ container_id: 1, host_id: Number(start), size: Number(count) });
    }
    expect(info.host.ociRuntime.path).toMatch(/\/(crun|runc)$/);
    if (hybrid && runcInstalled) expect(info.host.ociRuntime.name).toBe('runc');
    expect(info.host.ociRuntime.version).toMatch(/version/);
    expect(info.host.conmon.version).toMatch(/^conmon version \d/);
    expect(info.host.cgroupVersion).toMatch(/^v[12]$/);
    expect(info.store.graphRoot).toBe(storage.root);
    expect(info.store.runRoot).toBe(storage.runroot);
    expect(info.store.graphDriverName).toBe('overlay');
    expect(info.store.containerStore).toEqual({ number: 0, paused: 0, running: 0, stopped: 0 });
    expect(typeof info.version.Version).toBe('string');
  });

  it('reads the probe cache: no new runtime probe on a warm cache', async () => {
    const file = join(storage.runroot, 'runtime-probe.json');
    const before = readFileSync(file, 'utf8');
    const r = await runCli(['info', '--format', 'json'], { storage });
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('prints YAML by default, keys sorted like podman info', async () => {
    const r = await runCli(['info'], { storage });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^host:\n {2}arch: /);
    expect(r.stdout).toContain('\n    rootless: true\n');
    expect(r.stdout).toMatch(/\nstore:\n/);
    expect(r.stdout.indexOf('\nregistries:')).toBeLessThan(r.stdout.indexOf('\nstore:'));
  });

  it('Go templates use Podman\'s Go field names', async () => {
    const r = await runCli(['info', '--format', '{{.Host.Security.Rootless}}'], { storage });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true\n');
    const g = await runCli(['info', '--format', '{{.Store.GraphRoot}} {{.Host.OCIRuntime.Name}}'], { storage });
    expect(g.stdout).toMatch(new RegExp(`^${storage.root} (crun|runc)\\n$`));
  });

  it('as root: not rootless, no id mappings', async () => {
    const rootStore = newStorage({ asRoot: true });
    const r = await runCli(['info', '--format', 'json'], { storage: rootStore });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.host.security.rootless).toBe(false);
    expect(info.host.idMappings).toEqual({ gidmap: [], uidmap: [] });
    rmSync(join(rootStore.root, '..'), { recursive: true, force: true });
  });
});
