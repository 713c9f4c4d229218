import { describe, expect, it } from 'vitest';
import {
  applyEnvEntry,
  DEFAULT_SHM_SIZE,
  parseEntrypoint,
  parseEnvFile,
  parseNamespaceMode,
  parseNetworkMode,
  parseSecurityOpts,
  parseSize,
  parseUlimit,
  parseUmask,
  prepareCreateOptions,
} from '../../../src/runtime/spec/options.js';
import { UsageError } from '../../../src/errors.js';

const ctx = { env: { HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', LC_TIME: 'de_DE', https_proxy: 'http://proxy:3128', EMPTY: '' }, cwd: '/work' };

describe('parseEntrypoint', () => {
  it.each([
    ['/bin/sh', ['/bin/sh']],
    ['', ['']],
    ['["sh","-c"]', ['sh', '-c']],
    ['[]', []],
    ['[not json', ['[not json']],
    ['[1,2]', ['[1,2]']],
    ['echo hi', ['echo hi']],
  ])('%j → %j', (s, want) => expect(parseEntrypoint(s)).toEqual(want));
});

describe('environment entries', () => {
  const run = (lines: string[]) => {
    const env = new Map<string, string>();
    for (const l of lines) applyEnvEntry(env, l, ctx.env);
    return Object.fromEntries(env);
  };
  it.each([
    [['A=1'], { A: '1' }],
    [['A=1=2'], { A: '1=2' }],
    [['A='], { A: '' }],
    [['LANG'], { LANG: 'C.UTF-8' }],
    [['NOPE'], {}],
    [['EMPTY'], { EMPTY: '' }],
    [['LC_*'], { LC_ALL: 'C', LC_TIME: 'de_DE' }],
    [['A=1', 'A=2'], { A: '2' }],
    [['  B=x'], { B: 'x' }],
  ])('%j → %j', (lines, want) => expect(run(lines)).toEqual(want));
  it.each(['=x', '='])('rejects %j', (l) => expect(() => run([l])).toThrow('invalid environment variable'));
});

describe('parseEnvFile', () => {
  it('reads K=V lines, skips comments and blanks, takes host values for bare names, accepts CRLF', () => {
    const text = '# comment\n\nA=1\r\n  B=two words \n   # indented comment\nLANG\nMISSING\nC=with=eq\n';
    expect(Object.fromEntries(parseEnvFile(text, ctx.env))).toEqual({ A: '1', B: 'two words ', LANG: 'C.UTF-8', C: 'with=eq' });
  });
  it('rejects a line without a name', () => {
    expect(() => parseEnvFile('=oops\n', {})).toThrow(UsageError);
  });
});

describe('parseSize (binary units, like Podman --shm-size)', () => {
  it.each([
    ['64m', 64 * 1024 * 1024],
    ['64M', 64 * 1024 * 1024],
    ['1g', 1024 ** 3],
    ['512k', 512 * 1024],
    ['100', 100],
    ['100b', 100],
    ['10MiB', 10 * 1024 * 1024],
    ['10mb', 10 * 1024 * 1024],
    ['1.5k', 1536],
    ['2 GB', 2 * 1024 ** 3],
  ])('%s = %d', (s, n) => expect(parseSize(s)).toBe(n));
  it.each(['', 'm', 'abc', '-1m', '10x', '10kk', '10mbb', '10mib2'])('rejects %j', (s) => expect(() => parseSize(s)).toThrow(UsageError));
});

describe('parseUlimit', () => {
  it.each([
    ['nofile=1024', { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
    ['nofile=1024:2048', { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }],
    ['nproc=-1', { type: 'RLIMIT_NPROC', soft: -1, hard: -1 }],
    ['core=0:-1', { type: 'RLIMIT_CORE', soft: 0, hard: -1 }],
    ['memlock=-1:-1', { type: 'RLIMIT_MEMLOCK', soft: -1, hard: -1 }],
    ['rtprio=99', { type: 'RLIMIT_RTPRIO', soft: 99, hard: 99 }],
  ])('%s', (s, want) => expect(parseUlimit(s)).toEqual(want));
  it.each([
    ['nofile', 'invalid ulimit argument: nofile'],
    ['as=1', 'invalid ulimit type: as'],
    ['files=1', 'invalid ulimit type: files'],
    ['nofile=2048:1024', 'ulimit soft limit must be less than or equal to hard limit: 2048 > 1024'],
    ['nofile=-1:1024', 'soft: -1 (unlimited), hard: 1024'],
    ['nofile=1:2:3', 'too many limit value arguments'],
    ['nofile=abc', 'requires name=SOFT:HARD'],
    ['nofile=-2', 'out of range'],
  ])('%s → %s', (s, msg) => expect(() => parseUlimit(s)).toThrow(msg));
});

describe('parseSecurityOpts', () => {
  it.each([
    [['no-new-privileges'], { noNewPrivileges: true }],
    [['no-new-privileges=true'], { noNewPrivileges: true }],
    [['no-new-privileges=false'], { noNewPrivileges: false }],
    [['no-new-privileges:true'], { noNewPrivileges: true }],
    [['seccomp=unconfined'], { seccompProfilePath: 'unconfined' }],
    [['seccomp=/etc/p.json'], { seccompProfilePath: '/etc/p.json' }],
    [['mask=/a:/b', 'mask=/c'], { mask: ['/a', '/b', '/c'] }],
    [['unmask=ALL'], { unmask: ['ALL'] }],
    [['unmask=/proc/*:/sys/firmware'], { unmask: ['/proc/*', '/sys/firmware'] }],
    [['systempaths=unconfined'], { unmask: ['ALL'] }],
    [['label=disable'], {}],
    [['label=type:spc_t'], {}],
    [['apparmor=unconfined'], {}],
    [['proc-opts=hidepid=2'], { procOpts: ['hidepid=2'] }],
  ])('%j', (opts, want) => {
    expect(parseSecurityOpts(opts)).toEqual({ noNewPrivileges: false, mask: [], unmask: [], ...want });
  });
  it.each([
    ['seccomp', 'expected key=value'],
    ['no-new-privileges=maybe', 'takes true or false'],
    ['bogus=1', 'unknown option "bogus"'],
    ['systempaths=confined', 'only `unconfined` is supported'],
    ['apparmor=docker-default', 'AppArmor is not supported'],
  ])('%s → %s', (opt, msg) => expect(() => parseSecurityOpts([opt])).toThrow(msg));
});

describe('small parsers', () => {
  it('umask', () => {
    expect(parseUmask('022')).toBe(0o22);
    expect(parseUmask('0077')).toBe(0o77);
    expect(() => parseUmask('0999')).toThrow('invalid umask string 0999');
    expect(() => parseUmask('12345')).toThrow(UsageError);
  });
  it('namespace modes', () => {
    expect(parseNamespaceMode('pid', undefined)).toBe('private');
    expect(parseNamespaceMode('pid', 'host')).toBe('host');
    expect(() => parseNamespaceMode('pid', 'container:x')).toThrow('--pid=container:x is not supported');
  });
  it.each([
    [undefined, 'private'],
    ['none', 'none'],
    ['host', 'host'],
    ['slirp4netns', 'private'],
    ['slirp4netns:allow_host_loopback=true', 'private'],
    ['pasta', 'private'],
    ['bridge', 'private'],
  ])('network %s → %s', (v, want) => expect(parseNetworkMode(v)).toBe(want));
  it('network container: joins another namespace', () => expect(parseNetworkMode('container:abc')).toBe('private'));
  it('unknown network modes are refused', () => expect(() => parseNetworkMode('weird:thing')).toThrow('not supported'));
});

describe('prepareCreateOptions', () => {
  it('defaults', () => {
    const c = prepareCreateOptions({}, { env: {}, cwd: '/' });
    expect(c).toMatchObject({
      command: [],
      env: [],
      hostEnv: [],
      capAdd: [],
      capDrop: [],
      privileged: false,
      readOnly: false,
      readOnlyTmpfs: true,
      mounts: [],
      volumes: [],
      imageVolumeMode: 'anonymous',
      init: false,
      rlimits: [],
      ulimitHost: false,
      shmSize: DEFAULT_SHM_SIZE,
      noNewPrivileges: false,
      network: 'private',
      pid: 'private',
      ipc: 'private',
      uts: 'private',
      umask: 0o022,
    });
    expect(c.entrypoint).toBeUndefined();
    expect(c.user).toBeUndefined();
    expect(JSON.parse(JSON.stringify(c))).toEqual(c); // the record stores it as JSON
  });

  it('--env-file is applied before -e, files in order, later wins', () => {
    const c = prepareCreateOptions({ envFile: ['A=file1\nB=file1\n', 'B=file2\nC=file2\n'], env: ['C=cli', 'D=cli', 'LANG'] }, ctx);
    expect(c.env).toEqual(['A=file1', 'B=file2', 'C=cli', 'D=cli', 'LANG=C.UTF-8']);
  });

  it('--http-proxy (default) captures the host proxy variables; --env-host the whole environment', () => {
    expect(prepareCreateOptions({}, ctx).hostEnv).toEqual(['https_proxy=http://proxy:3128']);
    expect(prepareCreateOptions({ httpProxy: false }, ctx).hostEnv).toEqual([]);
    expect(prepareCreateOptions({ envHost: true }, ctx).hostEnv).toContain('LANG=C.UTF-8');
  });

  it('normalises capabilities', () => {
    const c = prepareCreateOptions({ capAdd: ['net_admin', 'CAP_SYS_TIME', 'Sys_Ptrace'], capDrop: ['all'] }, ctx);
    expect(c.capAdd).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME']);
    expect(c.capDrop).toEqual(['ALL']);
  });

  it('parses sizes, ulimits, labels, annotations, sysctls, signals, umask', () => {
    const c = prepareCreateOptions(
      {
        shmSize: '128m',
        ulimit: ['nofile=10:20'],
        label: ['a=b', 'flag'],
        annotation: ['x=y=z'],
        sysctl: ['net.ipv4.ip_forward=1', 'kernel.shmmax=1000'],
        stopSignal: 'SIGINT',
        umask: '0077',
        entrypoint: '',
        command: ['echo', 'hi'],
      },
      ctx,
    );
    expect(c.shmSize).toBe(128 * 1024 * 1024);
    expect(c.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }]);
    expect(c.labels).toEqual({ a: 'b', flag: '' });
    expect(c.annotations).toEqual({ x: 'y=z' });
    expect(c.sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000' });
    expect(c.stopSignal).toBe(2);
    expect(c.umask).toBe(0o77);
    expect(c.entrypoint).toEqual(['']);
    expect(c.command).toEqual(['echo', 'hi']);
  });

  it('--ulimit host drops every rlimit', () => {
    const c = prepareCreateOptions({ ulimit: ['host', 'nofile=1'] }, ctx);
    expect(c.ulimitHost).toBe(true);
    expect(c.rlimits).toEqual([]);
  });

  it.each([
    [{ workdir: 'rel/dir' }, 'must be an absolute path'],
    [{ hostname: 'h', uts: 'host' }, 'cannot set hostname when running in the host UTS namespace'],
    [{ capAdd: ['ALL'], capDrop: ['ALL'] }, 'adding all caps and removing all caps not allowed'],
    [{ capAdd: ['chown'], capDrop: ['CHOWN'] }, 'capability "CAP_CHOWN" cannot be dropped and added'],
    [{ capAdd: ['CAP_BOGUS'] }, 'unknown capability "CAP_BOGUS"'],
    [{ init: true, pid: 'host' }, "cannot add init binary as PID 1 (PID namespace isn't private)"],
    [{ sysctl: ['net.ipv4.ip_forward=1'], network: 'host' }, "can't be set since Network Namespace set to host"],
    [{ sysctl: ['fs.mqueue.msg_max=1'], ipc: 'host' }, "can't be set since IPC Namespace set to host"],
    [{ sysctl: ['kernel.panic=1'] }, "sysctl 'kernel.panic' is not allowed"],
    [{ sysctl: ['net.x'] }, 'sysctl values must be in the form of KEY=VALUE'],
    [{ sysctl: ['net.x = 1'] }, 'extra spaces found'],
    [{ shmSize: '0' }, '--shm-size must be larger than 0'],
    [{ shmSize: 'lots' }, "invalid size: 'lots'"],
    [{ imageVolume: 'bind' }, 'invalid --image-volume'],
    [{ stopSignal: 'SIGNOPE' }, 'invalid signal'],
    [{ annotation: ['=v'] }, 'empty key'],
    [{ tmpfs: ['/t:bogus'] }, 'unknown mount option "bogus"'],
    [{ tmpfs: ['/t:size=1m,size=2m'] }, 'only one tmpfs size can be specified'],
  ])('%j → %s', (o, msg) => expect(() => prepareCreateOptions(o, ctx)).toThrow(msg));

  it('resolves relative bind sources against the cwd at create', () => {
    const c = prepareCreateOptions({ volume: ['./data:/data:ro', '../up:/up'], mount: ['type=bind,src=rel,dst=/rel'] }, { env: {}, cwd: '/work/proj' });
    expect(c.mounts.map((m) => [m.source, m.destination, m.options])).toEqual([
      ['/work/proj/rel', '/rel', []],
      ['/work/proj/data', '/data', ['ro']],
      ['/work/up', '/up', []],
    ]);
  });
});
