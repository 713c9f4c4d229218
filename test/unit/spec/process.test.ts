import { describe, expect, it } from 'vitest';
import type { ImageRuntimeConfig } from '../../../src/oci/image.js';
import { RLIM_INFINITY } from '../../../src/oci/runtime.js';
import { DEFAULT_PATH, processArgs, processCwd, processEnv, processRlimits, processUser, resolveCommand } from '../../../src/runtime/spec/process.js';
import type { ContainerCreateOptions, HostFacts } from '../../../src/runtime/spec/types.js';
import { cfg, GROUP, PASSWD, rootlessHost } from './fixtures.js';

describe('entrypoint and command (Podman makeCommand)', () => {
  const img = (Entrypoint?: string[] | null, Cmd?: string[] | null): ImageRuntimeConfig => ({ Entrypoint, Cmd });
  type Case = [string, string | undefined, string[], ImageRuntimeConfig | undefined, string[] | string];
  const cases: Case[] = [
    ['image CMD only', undefined, [], img(undefined, ['sh']), ['sh']],
    ['image ENTRYPOINT + CMD', undefined, [], img(['/entry', '-x'], ['arg']), ['/entry', '-x', 'arg']],
    ['command replaces CMD, keeps ENTRYPOINT', undefined, ['ls', '-l'], img(['/entry'], ['arg']), ['/entry', 'ls', '-l']],
    ['--entrypoint drops the image CMD', '/bin/echo', [], img(['/entry'], ['arg']), ['/bin/echo']],
    ['--entrypoint with a command', '/bin/echo', ['hi'], img(['/entry'], ['arg']), ['/bin/echo', 'hi']],
    ['--entrypoint JSON array', '["sh","-c"]', ['echo hi'], img(['/entry'], ['arg']), ['sh', '-c', 'echo hi']],
    ["--entrypoint '' clears it and the CMD", '', ['ls'], img(['/entry'], ['arg']), ['ls']],
    ["--entrypoint '' and no command: nothing to run", '', [], img(['/entry'], ['arg']), 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image'],
    ["--entrypoint '[]' clears it but keeps the image CMD", '[]', [], img(['/entry'], ['arg']), ['arg']],
    ['image ENTRYPOINT [""] is skipped', undefined, [], img([''], ['sh']), ['sh']],
    ['null Entrypoint/Cmd', undefined, ['true'], img(null, null), ['true']],
    ['no image at all', undefined, ['/bin/true'], undefined, ['/bin/true']],
    ['nothing anywhere', undefined, [], img(), 'no command or entrypoint provided'],
  ];
  it.each(cases)('%s', (_n, entrypoint, command, image, want) => {
    const c = cfg({ ...(entrypoint !== undefined ? { entrypoint } : {}), command });
    if (typeof want === 'string') expect(() => resolveCommand(c.entrypoint, c.command, image)).toThrow(want);
    else expect(resolveCommand(c.entrypoint, c.command, image)).toEqual(want);
  });
  it('--init prefixes the init binary and --', () => {
    expect(processArgs(cfg({ init: true }), img(['/entry'], ['x']))).toEqual(['/run/podman-init', '--', '/entry', 'x']);
  });
});

describe('processEnv', () => {
  const image: ImageRuntimeConfig = { Env: ['PATH=/opt/bin:/usr/bin', 'LANG=C', 'IMG=1', 'BROKEN'] };
  const env = (o: ContainerCreateOptions, hostEnv: Record<string, string> = {}, img = image, home = '/root', hostname: string | undefined = 'abc') =>
    processEnv(cfg(o, hostEnv), img, home, hostname);
  it('defaults first, image values in place, then HOME and HOSTNAME', () => {
    expect(env({}, {}, {})).toEqual(['TERM=xterm', 'container=podman', `PATH=${DEFAULT_PATH}`, 'HOME=/root', 'HOSTNAME=abc']);
    expect(env({})).toEqual(['TERM=xterm', 'container=podman', 'PATH=/opt/bin:/usr/bin', 'LANG=C', 'IMG=1', 'HOME=/root', 'HOSTNAME=abc']);
  });
  it('precedence: image < http proxy < --env-file < -e', () => {
    const e = env({ envFile: ['IMG=file\nA=file\nB=file\n'], env: ['B=cli', 'http_proxy=cli'] }, { http_proxy: 'http://p', IMG: 'host' });
    expect(e).toContain('IMG=file');
    expect(e).toContain('A=file');
    expect(e).toContain('B=cli');
    expect(e).toContain('http_proxy=cli');
    expect(env({}, { http_proxy: 'http://p' })).toContain('http_proxy=http://p');
  });
  it('--env-host overrides the image, -e overrides --env-host', () => {
    const e = env({ envHost: true, env: ['X=cli'] }, { LANG: 'de_DE', X: 'host' });
    expect(e).toContain('LANG=de_DE');
    expect(e).toContain('X=cli');
  });
  it('HOME and HOSTNAME given by the user are kept', () => {
    expect(env({ env: ['HOME=/h', 'HOSTNAME=mine'] }).filter((x) => /^(HOME|HOSTNAME)=/.test(x))).toEqual(['HOME=/h', 'HOSTNAME=mine']);
  });
  it('--unsetenv removes image and default variables, not the user\'s', () => {
    const e = env({ unsetenv: ['TERM', 'LANG', 'X'], env: ['X=1'] });
    expect(e.some((x) => x.startsWith('TERM='))).toBe(false);
    expect(e.some((x) => x.startsWith('LANG='))).toBe(false);
    expect(e).toContain('X=1');
  });
  it('--unsetenv-all leaves only the user variables, HOME and HOSTNAME', () => {
    expect(env({ unsetenvAll: true, env: ['X=1'] })).toEqual(['X=1', 'HOME=/root', 'HOSTNAME=abc']);
  });
});

describe('processCwd', () => {
  it.each([
    [{}, {}, '/'],
    [{}, { WorkingDir: '/app' }, '/app'],
    [{}, { WorkingDir: 'app/' }, '/app/'],
    [{ workdir: '/w/../x' }, { WorkingDir: '/app' }, '/x'],
  ])('%j %j → %s', (o, image, want) => expect(processCwd(cfg(o), image)).toBe(want));
});

describe('processUser', () => {
  const users = { passwd: PASSWD, group: GROUP };
  const run = (o: ContainerCreateOptions, image: ImageRuntimeConfig = {}, h: Partial<HostFacts> = {}) => {
    const warnings: string[] = [];
    const r = processUser(cfg(o), image, users, rootlessHost(h), warnings);
    return { ...r.user, home: r.home, warnings };
  };
  it.each([
    ['default root: groups listing root', {}, {}, { uid: 0, gid: 0, umask: 0o22, additionalGids: [0, 1, 10], home: '/root' }],
    ['image USER', {}, { User: 'alice' }, { uid: 1000, gid: 1000, additionalGids: [1000, 10, 2000], home: '/home/alice' }],
    ['--user overrides the image', { user: 'bob' }, { User: 'alice' }, { uid: 1001, gid: 100, additionalGids: [100, 2000], home: '/home/bob' }],
    ['name:group', { user: 'alice:dev' }, {}, { uid: 1000, gid: 2000, additionalGids: [2000], home: '/home/alice' }],
    ['uid:gid not in the files', { user: '4242:4343' }, {}, { uid: 4242, gid: 4343, additionalGids: [4343], home: '/' }],
    ['numeric uid of a known user', { user: '1000' }, {}, { uid: 1000, gid: 1000, home: '/home/alice' }],
    ['user without a home', { user: 'nohome' }, {}, { uid: 1002, gid: 1002, home: '/' }],
    ['--group-add names and ids', { user: 'bob', groupAdd: ['wheel', '5555', 'dev'] }, {}, { uid: 1001, gid: 100, additionalGids: [100, 10, 5555, 2000] }],
    ['--umask', { umask: '0077' }, {}, { umask: 0o77 }],
  ])('%s', (_n, o, image, want) => expect(run(o, image)).toMatchObject(want));

  it('rootless: groups the namespace does not map are skipped with a warning', () => {
    const r = run({ user: 'alice' }, {}, { availableGids: 65537 });
    expect(r.additionalGids).toEqual([1000, 10, 2000]);
    expect(r.warnings).toEqual(['Additional gid=70000 is not present in the user namespace, skip setting it']);
    expect(run({ user: 'alice' }, {}, { rootless: false }).additionalGids).toContain(70000);
  });
  it.each([
    [{ user: 'mallory' }, 'unable to find user mallory: no matching entries in passwd file'],
    [{ user: 'alice:nogroup' }, 'unable to find group nogroup: no matching entries in group file'],
    [{ groupAdd: ['nogroup'] }, 'unable to find group nogroup: no matching entries in group file'],
    [{ groupAdd: ['keep-groups'] }, 'keep-groups is not supported'],
    [{ user: '99999999999' }, 'uids and gids must be in range 0-2147483647'],
  ])('%j → %s', (o, msg) => expect(() => run(o)).toThrow(msg));
});

describe('processRlimits', () => {
  const rl = (o: ContainerCreateOptions, h: Partial<HostFacts> = {}) => processRlimits(cfg(o), rootlessHost(h));
  it('rootless defaults: NOFILE and NPROC capped at the current limits (PODMAN-NOTES §5)', () => {
    expect(rl({})).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
      { type: 'RLIMIT_NPROC', hard: 32768, soft: 32768 },
    ]);
  });
  it('rootless with higher host limits: 1048576', () => {
    expect(rl({}, { rlimits: { nofile: { soft: 2 ** 20 + 5, hard: RLIM_INFINITY }, nproc: { soft: 100, hard: RLIM_INFINITY } } })).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 },
      { type: 'RLIMIT_NPROC', hard: 1048576, soft: 100 },
    ]);
  });
  it('rootful: 1048576 regardless of the caller', () => {
    expect(rl({}, { rootless: false })).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 },
      { type: 'RLIMIT_NPROC', hard: 1048576, soft: 1048576 },
    ]);
  });
  it('root without CAP_SYS_RESOURCE is capped like rootless', () => {
    expect(rl({ ulimit: ['nproc=-1'] }, { rootless: false, canRaiseRlimits: false })).toEqual([
      { type: 'RLIMIT_NPROC', hard: 32768, soft: 32768 },
      { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
    ]);
    expect(rl({}, { rootless: false, canRaiseRlimits: true })![0]).toEqual({ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 });
  });
  it('--ulimit values come first and replace the defaults', () => {
    expect(rl({ ulimit: ['nofile=1024:2048', 'core=0'] })).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 2048, soft: 1024 },
      { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
      { type: 'RLIMIT_NPROC', hard: 32768, soft: 32768 },
    ]);
  });
  it('-1: the host hard limit rootless, RLIM_INFINITY otherwise', () => {
    expect(rl({ ulimit: ['nproc=-1'] })![0]).toEqual({ type: 'RLIMIT_NPROC', hard: 32768, soft: 32768 });
    expect(rl({ ulimit: ['memlock=-1'] })![0]).toEqual({ type: 'RLIMIT_MEMLOCK', hard: RLIM_INFINITY, soft: RLIM_INFINITY });
    expect(rl({ ulimit: ['nproc=-1'] }, { rootless: false })![0]).toEqual({ type: 'RLIMIT_NPROC', hard: RLIM_INFINITY, soft: RLIM_INFINITY });
  });
  it('--ulimit host: no rlimits', () => expect(rl({ ulimit: ['host'] })).toBeUndefined());
  it('a repeated --ulimit: the last wins', () => {
    expect(rl({ ulimit: ['nofile=1', 'nofile=2'] })!.filter((r) => r.type === 'RLIMIT_NOFILE')).toEqual([{ type: 'RLIMIT_NOFILE', hard: 2, soft: 2 }]);
  });
});
