// A real sd_notify receiver for tests: a unix datagram socket (Node has none, so python3 binds
// it) whose datagrams are collected as strings, like systemd's NOTIFY_SOCKET.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = `
import json, os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(p)
os.chmod(p, 0o777)
print(json.dumps("listening"), flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

export interface NotifyListener {
  path: string;
  messages: string[];
  /** Resolves with the first message for which `pred` holds (all messages seen so far included). */
  waitFor(pred: (m: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function listenNotify(dir: string, name = 'notify.sock'): Promise<NotifyListener> {
  const path = join(dir, name);
  const child: ChildProcess = spawn('python3', ['-c', SCRIPT, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, nl)) as string;
      buf = buf.slice(nl + 1);
      if (m === 'listening' && messages.length === 0) ready();
      else messages.push(m);
      for (const w of waiters) w();
    }
  });
  await listening;
  return {
    path,
    messages,
    waitFor(pred, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find(pred);
          if (m !== undefined) {
            clearTimeout(t);
            resolve(m);
          }
        };
        const t = setTimeout(() => reject(new Error(`no matching notify message; got ${JSON.stringify(messages)}`)), timeoutMs);
        waiters.push(check);
        check();
      });
    },
    close() {
      child.kill();
    },
  };
}
