import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuntimeDir } from '../../../src/system/checks/environment.js';
import { checksExitCode, renderChecks } from '../../../src/system/checks/index.js';
import { judgeRuntimes } from '../../../src/system/checks/runtime.js';
import { CAP_SETGID, CAP_SETUID, decodeFileCaps, describePrivilege, hasCap } from '../../../src/system/checks/uidmap.js';
import { usernsBlocker } from '../../../src/system/checks/userns.js';
import { cleanRuntimeError, probeSpec } from '../../../src/runtime/probe.js';
import type { RuntimeProbe } from '../../../src/runtime/probe.js';
import { parseVersion, versionAtLeast } from '../../../src/system/binaries.js';

/** struct vfs_cap_data as setcap writes it. */
function capData(revision: 2 | 3, effective: boolean, permittedLow: number): Buffer {
  const b = Buffer.alloc(revision === 3 ? 24 : 20);
  b.writeUInt32LE(((revision << 24) | (effective ? 1 : 0)) >>> 0, 0);
  b.writeUInt32LE(permittedLow, 4);
  return b;
}

describe('file capabilities of newuidmap/newgidmap', () => {
  it('decodes cap_setuid=ep (revision 2) and cap_setgid+p (revision 3)', () => {
    const u = decodeFileCaps(capData(2, true, 1 << CAP_SETUID))!;
    expect(u).toMatchObject({ revision: 2, effective: true });
    expect(hasCap(u, CAP_SETUID)).toBe(true);
    expect(hasCap(u, CAP_SETGID)).toBe(false);
    const g = decodeFileCaps(capData(3, false, 1 << CAP_SETGID))!;
    expect(g.revision).toBe(3);
    expect(hasCap(g, CAP_SETGID)).toBe(true);
  });
  it('rejects garbage', () => {
    expect(decodeFileCaps(Buffer.from([1, 2]))).toBeUndefined();
    expect(decodeFileCaps(Buffer.alloc(20, 0))).toBeUndefined();
  });
  it('says how a binary is privileged, or why not', () => {
    expect(describePrivilege({ mode: 0o104755, uid: 0 }, undefined, CAP_SETUID)).toEqual({ ok: true, how: 'setuid root' });
    expect(describePrivilege({ mode: 0o100755, uid: 0 }, decodeFileCaps(capData(2, true, 1 << CAP_SETUID)), CAP_SETUID)).toEqual({
      ok: true,
      how: 'file capability cap_setuid=ep',
    });
    expect(describePrivilege({ mode: 0o100755, uid: 0 }, decodeFileCaps(capData(2, true, 1 << CAP_SETGID)), CAP_SETUID).ok).toBe(false);
    expect(describePrivilege({ mode: 0o104755, uid: 1000 }, undefined, CAP_SETUID).how).toMatch(/owned by uid 1000/);
    expect(describePrivilege({ mode: 0o100755, uid: 0 }, undefined, CAP_SETUID).how).toMatch(/neither setuid root nor/);
  });
});

describe('user namespace sysctls', () => {
  it('finds the one that blocks, with the sysctl fix', () => {
    expect(usernsBlocker({ maxUserNamespaces: '15000', unprivilegedClone: undefined, apparmorRestrict: undefined })).toBeUndefined();
    expect(usernsBlocker({ maxUserNamespaces: '0', unprivilegedClone: undefined, apparmorRestrict: undefined })?.fix).toMatch(/sysctl -w user\.max_user_namespaces=28633/);
    expect(usernsBlocker({ maxUserNamespaces: '100', unprivilegedClone: '0', apparmorRestrict: undefined })?.fix).toMatch(/kernel\.unprivileged_userns_clone=1/);
    expect(usernsBlocker({ maxUserNamespaces: '100', unprivilegedClone: '1', apparmorRestrict: '1' })?.fix).toMatch(/kernel\.apparmor_restrict_unprivileged_userns=0/);
    expect(usernsBlocker({ maxUserNamespaces: '100', unprivilegedClone: '1', apparmorRestrict: '0' })).toBeUndefined();
  });
});

function probe(name: string, ok: boolean, error?: string): RuntimeProbe {
  return { name, path: `/usr/bin/${name}`, ok, ...(error ? { error } : {}), probedAt: '', cached: false };
}

describe('runtime verdicts', () => {
  const crunErr = 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2';
  it('a failing runtime is a warning when another one works, naming the one used', () => {
    const r = judgeRuntimes([probe('crun', false, crunErr), probe('runc', true)], {}, {});
    expect(r[0]).toMatchObject({ Name: 'crun', Status: 'warning', Detail: `cannot run containers here: ${crunErr}; runc will be used` });
    expect(r[1]).toMatchObject({ Name: 'runc', Status: 'ok' });
    expect(r[1]!.Detail).toMatch(/will be used/);
    expect(checksExitCode(r)).toBe(0);
  });
  it('is a problem when it is the one --runtime asks for', () => {
    const r = judgeRuntimes([probe('crun', false, crunErr), probe('runc', true)], {}, { preferred: 'crun' });
    expect(r[0]).toMatchObject({ Status: 'problem', Fix: 'use --runtime runc' });
    expect(r[1]!.Detail).not.toMatch(/will be used/);
    expect(checksExitCode(r)).toBe(1);
  });
  it('all failing: problems, and runc suggested on cgroup v1', () => {
    const r = judgeRuntimes([probe('crun', false, crunErr)], {}, { cgroupMode: 'hybrid' });
    expect(r[0]!.Status).toBe('problem');
    expect(r[0]!.Fix).toMatch(/install runc/);
  });
  it('none installed', () => {
    expect(judgeRuntimes([], {}, {})[0]).toMatchObject({ Name: 'runtime', Status: 'problem' });
  });
  it('cleans runtime stderr into one line', () => {
    expect(cleanRuntimeError('{"level":"error","msg":"container_linux.go:380: starting container process caused: x"}\n', 'runc')).toBe(
      'container_linux.go:380: starting container process caused: x',
    );
    expect(cleanRuntimeError('crun: a\n\nb\n', 'crun')).toBe('a; b');
    expect(cleanRuntimeError('time="2024" level=error msg="runc run failed: boom"\n', 'runc')).toBe('runc run failed: boom');
  });
  it('the probe spec has no cgroups and binds the host dirs read-only', () => {
    const s = probeSpec('/usr/bin/true', ['/usr']) as any;
    expect(s.process.args).toEqual(['/usr/bin/true']);
    expect(s.linux.cgroupsPath).toBeUndefined();
    expect(s.linux.resources).toBeUndefined();
    expect(s.linux.namespaces.map((n: any) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
    expect(s.mounts.find((m: any) => m.destination === '/usr').options).toContain('ro');
  });
});

describe('rendering and exit status', () => {
  const results = [
    { Name: 'newuidmap', Status: 'ok' as const, Detail: '/usr/bin/newuidmap (setuid root)', Fix: '' },
    { Name: 'subuid', Status: 'problem' as const, Detail: 'no range for user "bob" (uid 1001) in /etc/subuid', Fix: 'sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 bob' },
    { Name: 'cgroups', Status: 'warning' as const, Detail: 'v1', Fix: 'reboot' },
    { Name: 'userns', Status: 'skipped' as const, Detail: 'skipped (rootful)', Fix: '' },
  ];
  it('one aligned line per check, the fix under problems and warnings', () => {
    expect(renderChecks(results)).toBe(
      [
        '[ ok ] newuidmap: /usr/bin/newuidmap (setuid root)',
        '[FAIL] subuid: no range for user "bob" (uid 1001) in /etc/subuid',
        '       fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 bob',
        '[WARN] cgroups: v1',
        '       fix: reboot',
        '[skip] userns: skipped (rootful)',
        '',
      ].join('\n'),
    );
  });
  it('exit status 1 only for problems', () => {
    expect(checksExitCode(results)).toBe(1);
    expect(checksExitCode(results.filter((r) => r.Status !== 'problem'))).toBe(0);
  });
  it('version parsing for conmon', () => {
    expect(parseVersion('conmon version 2.1.6\ncommit: unknown')).toEqual([2, 1, 6]);
    expect(parseVersion('tini version 0.1.7_catatonit')).toEqual([0, 1, 7]);
    expect(parseVersion('nothing')).toBeUndefined();
    expect(versionAtLeast([2, 0, 0], [2, 0, 0])).toBe(true);
    expect(versionAtLeast([1, 9, 99], [2, 0, 0])).toBe(false);
    expect(versionAtLeast([10, 0, 0], [2, 0, 0])).toBe(true);
  });
});

describe('runtime dir', () => {
  const base = mkdtempSync(join(tmpdir(), 'rundir-test-'));
  const uid = process.getuid!();
  const ctx = (runRoot: string, source: 'option' | 'XDG_RUNTIME_DIR' | '/run/user' | 'tmp', env: Record<string, string> = {}) => ({
    rootless: true,
    uid,
    gid: 0,
    userName: 'u',
    paths: { storageRoot: join(base, 's'), runRoot, configDir: join(base, 'c'), runRootSource: source },
    env,
    pathEnv: '/usr/bin',
    force: true,
  });
  it('ok with a private XDG_RUNTIME_DIR', () => {
    const xdg = join(base, 'xdg');
    mkdirSync(xdg, { mode: 0o700 });
    const r = checkRuntimeDir(ctx(join(xdg, 'tsc-ctr'), 'XDG_RUNTIME_DIR', { XDG_RUNTIME_DIR: xdg }));
    expect(r.Status).toBe('ok');
  });
  it('a warning naming the fallback when XDG_RUNTIME_DIR is unset or unusable', () => {
    const r = checkRuntimeDir(ctx(`/tmp/tsc-ctr-run-${uid}-x`, 'tmp'));
    expect(r).toMatchObject({ Status: 'warning' });
    expect(r.Detail).toBe(`XDG_RUNTIME_DIR is not set: run root falls back to /tmp/tsc-ctr-run-${uid}-x (not cleared at reboot like /run/user)`);
    expect(r.Fix).toContain(`export XDG_RUNTIME_DIR=/run/user/${uid}`);
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    const r2 = checkRuntimeDir(ctx(`/tmp/tsc-ctr-run-${uid}-x`, 'tmp', { XDG_RUNTIME_DIR: open }));
    expect(r2.Detail).toMatch(/is mode 755, not 0700/);
  });
  it('a problem when the run root belongs to someone else or is not private', () => {
    const shared = join(base, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const r = checkRuntimeDir(ctx(shared, 'option'));
    expect(r.Status).toBe('problem');
    expect(r.Fix).toBe(`chmod 0700 ${shared}`);
    rmSync(base, { recursive: true, force: true });
  });
});
