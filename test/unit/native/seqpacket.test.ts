// SOCK_SEQPACKET client against an independent peer: a python3 server on a real unix socket.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SyscallError } from '../../../src/errors.js';
import { SeqpacketSocket } from '../../../src/native/seqpacket.js';
import { exited, spawnReady, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('tsc-seqpacket-');
afterAll(cleanup);

/**
 * Modes: echo (answers each packet with \x02+packet and logs its length; at EOF sends \x03bye
 * and closes), burst (sends fixed packets back to back, then closes), late (one packet after
 * 400 ms), hold (reads nothing until a line on stdin, then drains and checks order), idle
 * (accepts, logs 'eof' when the client goes), close (accepts and closes at once).
 */
const SERVER = String.raw`
import os, socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
os.chdir(os.path.dirname(path))  # bind by a short relative name: the full path may exceed sun_path
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(os.path.basename(path)); s.listen(1)
print('ready', flush=True)
c, _ = s.accept()
def log(*a): print(*a, flush=True)
if mode == 'echo':
    while True:
        m = c.recv(65536)
        if not m: break
        log(len(m)); c.send(b'\x02' + m)
    log('eof'); c.send(b'\x03bye'); c.close()
elif mode == 'burst':
    for m in [b'a', b'bb', b'ccc', b'x' * 200, bytes(range(256)) * 32 + b'\xff']: c.send(m)
    c.close()
elif mode == 'late':
    time.sleep(0.4); c.send(b'late'); sys.stdin.read()
elif mode == 'hold':
    sys.stdin.readline()
    n, ok = 0, True
    while True:
        m = c.recv(65536)
        if not m: break
        ok = ok and m == str(n).encode().ljust(1000, b'.'); n += 1
    log(n, ok)
elif mode == 'idle':
    if c.recv(10) == b'': log('eof')
elif mode == 'close':
    c.close(); sys.stdin.read()
`;

const servers: { kill: () => void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.kill()));

async function server(path: string, mode: string) {
  const { child, out } = await spawnReady('python3', ['-c', SERVER, path, mode]);
  servers.push({ kill: () => child.kill() });
  const lines = () => out().trim().split('\n').slice(1);
  return { child, lines, done: () => exited(child) };
}

let n = 0;
const sockPath = () => join(dir, `s${n++}.sock`);

describe('SeqpacketSocket', () => {
  it('keeps message boundaries both ways, half-closes, and reads EOF as null', async () => {
    const path = sockPath();
    const srv = await server(path, 'echo');
    const s = await SeqpacketSocket.connect(path);
    await s.write(Buffer.from('hello'));
    await s.write(Buffer.from('world!'));
    await s.write(Buffer.alloc(3000, 'z'));
    expect((await s.read())!.toString()).toBe('\x02hello');
    expect((await s.read())!.toString()).toBe('\x02world!');
    expect((await s.read())!.length).toBe(3001);
    s.shutdownWrite();
    expect((await s.read())!.toString()).toBe('\x03bye');
    expect(await s.read()).toBeNull();
    expect(await s.read()).toBeNull();
    s.close();
    await srv.done();
    expect(srv.lines()).toEqual(['5', '6', '3000', 'eof']);
  });

  it('reads packets sent back to back one at a time, and refuses to cut one short', async () => {
    const path = sockPath();
    const srv = await server(path, 'burst');
    const s = await SeqpacketSocket.connect(path);
    await srv.done(); // all sent and the server gone: everything waits in our queue
    expect((await s.read())!.toString()).toBe('a');
    expect((await s.read())!.toString()).toBe('bb');
    expect((await s.read())!.toString()).toBe('ccc');
    const err = await s.read(100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ syscall: 'recv', errno: 90, code: 'TSC_ERR_EMSGSIZE' });
    expect(String(err)).toMatch(/packet of 200 bytes, buffer of 100/);
    const big = (await s.read())!; // the default buffer fits conmon's largest packet, 8193 bytes
    expect(big.length).toBe(8193);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(big).toEqual(Buffer.concat([...Array<Buffer>(32).fill(bytes), Buffer.from([0xff])]));
    expect(await s.read()).toBeNull();
    s.close();
  });

  it('connects through /proc/self/fd for a path longer than sun_path', async () => {
    const d = join(dir, 'd'.repeat(120));
    mkdirSync(d);
    const path = join(d, 'attach');
    expect(Buffer.byteLength(path)).toBeGreaterThan(108);
    const srv = await server(path, 'echo');
    const s = await SeqpacketSocket.connect(path);
    await s.write(Buffer.from('deep'));
    expect((await s.read())!.toString()).toBe('\x02deep');
    s.close();
    await srv.done();
    expect(srv.lines()).toEqual(['4', 'eof']);
    await expect(SeqpacketSocket.connect(join(d, 'missing'))).rejects.toMatchObject({ syscall: 'open', errno: 2 });
  });

  it('keeps the event loop running while a read waits', async () => {
    const path = sockPath();
    await server(path, 'late');
    const s = await SeqpacketSocket.connect(path);
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    const pkt = await s.read();
    clearInterval(iv);
    expect(pkt!.toString()).toBe('late');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(ticks).toBeGreaterThan(15);
    s.close();
  });

  it('waits when the peer does not read (full socket), without blocking, and loses nothing', async () => {
    const path = sockPath();
    const srv = await server(path, 'hold');
    const s = await SeqpacketSocket.connect(path);
    const total = 400;
    let sent = 0;
    const writing = (async () => {
      for (let i = 0; i < total; i++) {
        await s.write(Buffer.from(String(i).padEnd(1000, '.')));
        sent++;
      }
      s.shutdownWrite();
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(total); // the queue filled up and write() is waiting
    srv.child.stdin.write('go\n');
    await writing;
    await srv.done();
    expect(srv.lines()).toEqual([`${total} True`]);
    s.close();
  });

  it('close() ends a pending read with null at once and closes the connection', async () => {
    const path = sockPath();
    const srv = await server(path, 'idle');
    const s = await SeqpacketSocket.connect(path);
    const pending = s.read();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    s.close();
    expect(await pending).toBeNull();
    expect(Date.now() - t0).toBeLessThan(150); // shutdown wakes the poll: no timeout slice to wait out
    await srv.done();
    expect(srv.lines()).toEqual(['eof']);
    s.close(); // twice is harmless
    expect(await s.read()).toBeNull();
    await expect(s.write(Buffer.from('x'))).rejects.toMatchObject({ syscall: 'send', errno: 9 });
  });

  it('fails a write to a peer that has gone with EPIPE (no SIGPIPE)', async () => {
    const path = sockPath();
    await server(path, 'close');
    const s = await SeqpacketSocket.connect(path);
    expect(await s.read()).toBeNull();
    await expect(s.write(Buffer.from('x'))).rejects.toThrow(/send: Broken pipe \(EPIPE\)/);
    s.close();
  });

  it('reports a missing socket (ENOENT) and a stream socket (EPROTOTYPE)', async () => {
    await expect(SeqpacketSocket.connect(join(dir, 'none.sock'))).rejects.toThrow(/connect `.*none\.sock`: No such file or directory \(ENOENT\)/);
    const path = sockPath();
    const { child } = await spawnReady('python3', [
      '-c',
      'import socket,sys\ns=socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)\nprint("ready", flush=True); sys.stdin.read()',
      path,
    ]);
    servers.push({ kill: () => child.kill() });
    await expect(SeqpacketSocket.connect(path)).rejects.toMatchObject({ syscall: 'connect', code: 'TSC_ERR_EPROTOTYPE' });
  });
});
