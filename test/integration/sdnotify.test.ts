import { mkdtempSync, readFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runCli, type Storage } from '../harness/index.js';
import { listenNotify, type NotifyListener } from './support/notify-listener.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid is a conmon process monitoring container `id`. */
function isConmonOf(pid: number, id: string): boolean {
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return comm === 'conmon' && cmdline.includes(id);
}

async function logsUntil(storage: Storage, name: string, want: RegExp): Promise<string> {
  let out = '';
  for (let i = 0; i < 100 && !want.test(out); i++) {
    out = (await runCli(['logs', name], { storage })).stdout;
    if (!want.test(out)) await sleep(200);
  }
  return out;
}

describe('--sdnotify with NOTIFY_SOCKET', () => {
  const h = harness();
  let storage: Storage;
  let listener: NotifyListener;
  const image = 'alpine';

  beforeAll(async () => {
    storage = newStorage();
    const dir = mkdtempSync(join(h.userDir, 'notify-'));
    if (h.user.created) chownSync(dir, h.user.uid, h.user.gid);
    listener = await listenNotify(dir);
    expect((await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 })).code).toBe(0);
  });
  afterAll(() => listener?.close());

  it('conmon: READY=1 and MAINPID = conmon once the container runs; the container never sees the socket', async () => {
    listener.messages.length = 0;
    const env = { NOTIFY_SOCKET: listener.path };
    const r = await runCli(['run', '-d', '--sdnotify=conmon', '--name', 'n-conmon', image, 'sh', '-c', 'echo "[$NOTIFY_SOCKET]"; sleep 60'], { storage, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    const msg = await listener.waitFor((m) => m.includes('READY=1'));
    const pid = Number(/^MAINPID=(\d+)$/m.exec(msg)?.[1]);
    expect(msg.split('\n').sort()).toEqual([`MAINPID=${pid}`, 'READY=1']);
    expect(isConmonOf(pid, id)).toBe(true);
    expect(await logsUntil(storage, 'n-conmon', /\]/)).toBe('[]\n');
    expect((await runCli(['rm', '-f', '-t', '0', 'n-conmon'], { storage })).code).toBe(0);
  });

  it('container: the socket is passed in; MAINPID from us, READY=1 only when the application says so', async () => {
    listener.messages.length = 0;
    const env = { NOTIFY_SOCKET: listener.path };
    // python3 from the host (through read-only binds of /usr) plays the application
    const app =
      'echo "[$NOTIFY_SOCKET]"; while [ ! -e /tmp/go ]; do sleep 0.1; done; ' +
      `python3 -c 'import os,socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])'; sleep 60`;
    const r = await runCli(['run', '-d', '--sdnotify=container', '--name', 'n-ctr', '-e', 'PATH=/bin:/usr/bin', '-v', '/usr:/usr:ro', '-v', '/lib64:/lib64:ro', '-v', '/usr/lib:/lib:ro', image, 'sh', '-c', app], { storage, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    const mainpid = await listener.waitFor((m) => m.startsWith('MAINPID='));
    expect(mainpid).toMatch(/^MAINPID=\d+$/);
    expect(isConmonOf(Number(mainpid.slice(8)), id)).toBe(true);
    expect(await logsUntil(storage, 'n-ctr', /\]/)).toBe('[/run/notify/notify.sock]\n');
    await sleep(500);
    expect(listener.messages.some((m) => m.includes('READY=1'))).toBe(false);
    // tell the application to become ready: a file it polls for, made in its rootfs from our namespace
    const go = await runCli(['unshare', 'sh', '-c', `touch ${join(storage.root, 'containers', id, 'merged', 'tmp', 'go')}`], { storage });
    expect(go.code).toBe(0);
    expect(await listener.waitFor((m) => m.includes('READY=1'))).toContain('READY=1');
    expect((await runCli(['rm', '-f', '-t', '0', 'n-ctr'], { storage })).code).toBe(0);
  });

  it('ignore: nothing is sent and the container has no NOTIFY_SOCKET', async () => {
    listener.messages.length = 0;
    const env = { NOTIFY_SOCKET: listener.path };
    const r = await runCli(['run', '--rm', '--sdnotify=ignore', image, 'sh', '-c', 'echo "[$NOTIFY_SOCKET]"'], { storage, env });
    expect(r.stdout).toBe('[]\n');
    expect(r.code).toBe(0);
    await sleep(500);
    expect(listener.messages).toEqual([]);
  });

  it('a bad mode is a usage error', async () => {
    const r = await runCli(['create', '--sdnotify=sometimes', image, 'true'], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: .*--sdnotify/);
  });
});
