// execve must replace a whole process, so it runs in a child: src/native bundled for plain node.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, nativeIndex } from './helpers.js';

const SCRIPT = `
import * as native from ${nativeIndex};
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const koffiLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/koffi/'));
const mode = process.argv[2];
if (mode === 'lazy') {
  const before = koffiLoaded();
  native.statfs('/');
  console.log(JSON.stringify({ before, after: koffiLoaded() }));
  process.exit(0);
}
// Make Node set up its stdio first, as the CLI would have: pipes become non-blocking, close-on-exec.
process.stdout.write(process.pid + '\\n');
void process.stdin;
if (mode === 'exec') {
  const sh = 'echo "$$"; echo "$FOO"; echo "\${GONE-unset} \${PARENT-unset}"; echo "$0 $1"; echo to-stderr >&2;' +
    ' for fd in 0 1 2; do grep ^flags: /proc/$$/fdinfo/$fd; done; grep ^SigIgn: /proc/$$/status; cat';
  native.execve('/bin/sh', ['my-sh', '-c', sh, 'my-sh', 'arg1'], { FOO: 'from env', GONE: undefined, PATH: '/usr/bin:/bin' });
}
if (mode === 'fail') {
  try {
    native.execve('/nonexistent/prog', ['prog'], {});
  } catch (e) {
    console.log(e.constructor.name, e.syscall, e.code, e.path);
  }
  // still a working Node: stdio usable, Node's signal dispositions and fd flags back
  console.log(/SigIgn:\\s*(\\w+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  console.log(/flags:\\s*(\\d+)/.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))[1]);
}
`;

const SIGPIPE_BIT = 1n << 12n;
const SIGXFSZ_BIT = 1n << 24n;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

let script: string;
let cleanup = () => {};
beforeAll(async () => {
  ({ script, cleanup } = await bundleScript(SCRIPT));
});
afterAll(() => cleanup());

function run(mode: string, input = '') {
  return spawnSync(process.execPath, [script, mode], { input, encoding: 'utf8', env: { ...process.env, PARENT: 'from parent' } });
}

describe('execve', () => {
  it('replaces the process, with the given argv and env only, and stdio that works', () => {
    const r = run('exec', 'piped-in\nsecond line\n');
    expect(r.stderr).toBe('to-stderr\n');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const [nodePid, shPid, foo, absent, args] = lines;
    expect(shPid).toBe(nodePid); // same process: replaced, not spawned
    expect(foo).toBe('from env');
    expect(absent).toBe('unset unset'); // undefined values and the parent's env are left out
    expect(args).toBe('my-sh arg1');
    expect(lines.slice(-3)).toEqual(['piped-in', 'second line', '']); // cat copied stdin to stdout
  });

  it('hands over stdio in blocking mode and with Node’s ignored signals back to default', () => {
    const r = run('exec');
    const flags = [...r.stdout.matchAll(/^flags:\s*(\d+)$/gm)].map((m) => parseInt(m[1]!, 8));
    expect(flags).toHaveLength(3);
    for (const f of flags) expect(f & (O_NONBLOCK | O_CLOEXEC)).toBe(0);
    const ign = BigInt('0x' + /^SigIgn:\s*(\w+)$/m.exec(r.stdout)![1]);
    expect(ign & SIGPIPE_BIT).toBe(0n);
    expect(ign & SIGXFSZ_BIT).toBe(0n);
  });

  it('throws SyscallError when exec fails, and leaves Node as it was', () => {
    const r = run('fail');
    expect(r.status).toBe(0);
    const [, err, sigIgn, stdoutFlags] = r.stdout.split('\n');
    expect(err).toBe('SyscallError execve TSC_ERR_ENOENT /nonexistent/prog');
    expect(BigInt('0x' + sigIgn) & SIGPIPE_BIT).toBe(SIGPIPE_BIT);
    expect(parseInt(stdoutFlags!, 8) & O_NONBLOCK).toBe(O_NONBLOCK);
  });
});

describe('loading', () => {
  it('does not load koffi until a binding is called', () => {
    const r = run('lazy');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true });
  });
});
