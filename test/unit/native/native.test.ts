import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLock, SeqpacketSocket, flock, lgetxattr, llistxattr, lremovexattr, lsetxattr, makedev, mkWhiteout, mkfifo, statfs } from '../../../src/native/index.js';

const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'tsc-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flock', () => {
  it('exclusive conflicts, shared coexist, release on close', async () => {
    const p = join(dir, 'a.lock');
    const a = await FileLock.acquire(p, 'exclusive');
    expect(a).toBeDefined();
    expect(await FileLock.acquire(p, 'shared', { wait: false })).toBeUndefined();
    a!.release();
    const s1 = await FileLock.acquire(p, 'shared', { wait: false });
    const s2 = await FileLock.acquire(p, 'shared', { wait: false });
    expect(s1 && s2).toBeTruthy();
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeUndefined();
    s1!.release();
    s2!.release();
    expect(FileLock.acquireSync(p, 'exclusive', { wait: false })).toBeDefined();
  });

  it('waits for another process without blocking the event loop', async () => {
    const p = join(dir, 'b.lock');
    writeFileSync(p, '');
    // util-linux flock(1) holds the lock in another process for 400 ms
    const holder = spawn('flock', ['-x', p, 'sleep', '0.4']);
    await new Promise((r) => setTimeout(r, 100));
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeUndefined();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 20);
    const t = Date.now();
    const l = await FileLock.acquire(p, 'exclusive');
    clearInterval(iv);
    expect(Date.now() - t).toBeGreaterThanOrEqual(200);
    expect(ticks).toBeGreaterThan(3);
    l!.release();
    holder.kill();
  });

  it('a lock dies with its process', async () => {
    const p = join(dir, 'c.lock');
    writeFileSync(p, '');
    const holder = spawn('flock', ['-x', '-o', p, 'sleep', '30']);
    await new Promise((r) => setTimeout(r, 100));
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeUndefined();
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(await FileLock.acquire(p, 'exclusive', { wait: false })).toBeDefined();
  });

  it('raw flock reports EBADF', () => {
    expect(() => flock(987654, 'exclusive')).toThrow(/flock.*EBADF/);
  });
});

describe('mknod', () => {
  it.skipIf(!root)('makes overlay whiteouts (char 0/0)', () => {
    const p = join(dir, 'wh');
    mkWhiteout(p);
    const st = lstatSync(p);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expect(() => mkWhiteout(p)).toThrow(/mknod.*EEXIST/);
  });
  it('makes FIFOs', () => {
    const p = join(dir, 'fifo');
    mkfifo(p, 0o640);
    const st = lstatSync(p);
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o640 & ~process.umask());
  });
  it('makedev matches the kernel', () => {
    expect(makedev(1, 3)).toBe(lstatSync('/dev/null').rdev);
    expect(makedev(5, 2)).toBe(lstatSync('/dev/ptmx').rdev);
  });
});

describe('xattrs', () => {
  it('round-trips user.* on files and on symlinks themselves', () => {
    const f = join(dir, 'x');
    writeFileSync(f, 'x');
    lsetxattr(f, 'user.tsc', Buffer.from('v1'));
    expect(lgetxattr(f, 'user.tsc')?.toString()).toBe('v1');
    expect(llistxattr(f)).toContain('user.tsc');
    expect(lgetxattr(f, 'user.none')).toBeUndefined();
    lremovexattr(f, 'user.tsc');
    expect(lgetxattr(f, 'user.tsc')).toBeUndefined();
    const l = join(dir, 'lnk');
    symlinkSync(f, l);
    // user.* xattrs are not allowed on symlinks: the call must fail on the link, not follow it.
    expect(() => lsetxattr(l, 'user.tsc', Buffer.from('v'))).toThrow(/lsetxattr.*(EPERM|EOPNOTSUPP)/);
    expect(lgetxattr(f, 'user.tsc')).toBeUndefined();
  });
  it.skipIf(!root)('keeps security.capability (as root)', () => {
    const f = join(dir, 'cap');
    writeFileSync(f, '');
    spawnSync('setcap', ['cap_net_raw+ep', f]);
    const viaSetcap = lgetxattr(f, 'security.capability');
    const g = join(dir, 'cap2');
    writeFileSync(g, '');
    const v = viaSetcap ?? Buffer.from('0100000200200000000000000000000000000000', 'hex');
    lsetxattr(g, 'security.capability', v);
    expect(lgetxattr(g, 'security.capability')).toEqual(v);
  });
});

describe('statfs', () => {
  it('names filesystem types', () => {
    expect(statfs('/proc').typeName).toBe('proc');
    expect(statfs('/dev/shm').typeName).toBe('tmpfs');
    const s = statfs('/');
    expect(s.bsize).toBeGreaterThan(0);
    expect(s.blocks).toBeGreaterThan(0);
    expect(() => statfs('/no/such/dir')).toThrow(/statfs `\/no\/such\/dir`.*ENOENT/);
  });
});

describe('SeqpacketSocket', () => {
  async function server(path: string) {
    const py = spawn('python3', ['-c', `
import socket,sys,os
os.chdir(os.path.dirname(sys.argv[1]))
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(os.path.basename(sys.argv[1])); s.listen(1); print('ready', flush=True)
c,_=s.accept()
while True:
  m=c.recv(100)
  if not m: break
  c.send(b'\\x02'+m)
c.send(b'\\x03bye'); c.close()`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => py.stdout.once('data', r));
    return py;
  }

  it('keeps message boundaries, half-closes, reads EOF, over a path longer than sun_path', async () => {
    const d = join(dir, 'x'.repeat(100));
    mkdirSync(d);
    const path = join(d, 'attach');
    expect(path.length).toBeGreaterThan(108);
    const py = await server(path);
    const s = await SeqpacketSocket.connect(path);
    await s.write(Buffer.from('hello'));
    await s.write(Buffer.from('world'));
    expect((await s.read())!.toString()).toBe('\x02hello');
    expect((await s.read())!.toString()).toBe('\x02world');
    s.shutdownWrite();
    expect((await s.read())!.toString()).toBe('\x03bye');
    expect(await s.read()).toBeNull();
    s.close();
    py.kill();
  });

  it('does not block the event loop while waiting', async () => {
    const path = join(dir, 'idle.sock');
    const py = spawn('python3', ['-c', `
import socket,sys,time
s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1]); s.listen(1); print('ready', flush=True)
c,_=s.accept(); time.sleep(0.4); c.send(b'late'); time.sleep(0.2)`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => py.stdout.once('data', r));
    const s = await SeqpacketSocket.connect(path);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 20);
    expect((await s.read())!.toString()).toBe('late');
    clearInterval(iv);
    expect(ticks).toBeGreaterThan(5);
    s.close();
    py.kill();
  });

  it('refuses a stream socket with EPROTOTYPE and a missing one with ENOENT', async () => {
    await expect(SeqpacketSocket.connect(join(dir, 'none.sock'))).rejects.toThrow(/connect.*ENOENT/);
    const path = join(dir, 'stream.sock');
    const py = spawn('python3', ['-c', `
import socket,sys,time
s=socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1); print('ready', flush=True); time.sleep(2)`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => py.stdout.once('data', r));
    await expect(SeqpacketSocket.connect(path)).rejects.toThrow(/EPROTOTYPE/);
    py.kill();
  });
});

describe('execve', () => {
  it('replaces the process and keeps stdio', async () => {
    const { build } = await import('esbuild');
    // inside the repo, so the bundle resolves koffi from node_modules
    mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
    const script = join(mkdtempSync(join(process.cwd(), '.tmp', 'exec-')), 'exec.mjs');
    await build({
      stdin: { contents: `import { execve } from ${JSON.stringify(join(process.cwd(), 'src/native/execve.ts'))}; execve('/bin/sh', ['sh', '-c', 'echo "$FOO"; cat'], { FOO: 'from-env', PATH: '/usr/bin:/bin' });`, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', outfile: script, external: ['koffi'], logLevel: 'error',
    });
    const r = spawnSync(process.execPath, [script], { input: 'piped-in\n', encoding: 'utf8', cwd: process.cwd() });
    expect(r.stdout).toBe('from-env\npiped-in\n');
    expect(r.status).toBe(0);
  });
});
