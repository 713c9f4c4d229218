import { constants, openSync, writeSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import { DetachWatcher } from './detach-keys.js';

export interface AttachIo {
  stdin?: Readable | undefined;
  stdout: Writable;
  stderr: Writable;
  /** Bytes that detach (parseDetachKeys); empty disables. */
  detachKeys: Buffer;
}

/** Stream ids conmon puts in front of each packet (PODMAN-NOTES.md §1.6). */
const STDOUT = 2;
const STDERR = 3;
/** conmon's CONN_SOCK_BUF_SIZE: the most it reads from one input packet. */
const CONMON_MAX_INPUT = 32768;

export type AttachEnd = 'eof' | 'detached';

/**
 * A connection to conmon's attach socket. Output is pumped from `open()` on; input starts with
 * `pumpInput()` (after the container was started, as Podman does).
 */
export class Attachment {
  private constructor(private readonly sock: import('../native/seqpacket.js').SeqpacketSocket) {}

  static async open(socketPath: string): Promise<Attachment> {
    const { SeqpacketSocket } = await import('../native/seqpacket.js');
    // conmon binds the socket just after daemonizing: retry briefly.
    let lastErr: unknown;
    for (let i = 0; i < 100; i++) {
      try {
        return new Attachment(await SeqpacketSocket.connect(socketPath));
      } catch (err) {
        lastErr = err;
        await sleep(10);
      }
    }
    throw lastErr;
  }

  /** Copy container output until conmon closes the socket (the container exited). */
  async pumpOutput(io: AttachIo): Promise<void> {
    for (;;) {
      const pkt = await this.sock.read(8193);
      if (pkt === null) return;
      if (pkt.length < 1) continue;
      const data = pkt.subarray(1);
      if (pkt[0] === STDERR) await write(io.stderr, data);
      else if (pkt[0] === STDOUT) await write(io.stdout, data);
    }
  }

  /**
   * Copy stdin to the container. Resolves 'detached' on the detach keys, 'eof' when stdin ends
   * (then the container's stdin is closed, as with Podman's -i).
   */
  pumpInput(io: AttachIo): Promise<AttachEnd> {
    const stdin = io.stdin;
    if (!stdin) return new Promise(() => {});
    const watcher = new DetachWatcher(io.detachKeys);
    return new Promise<AttachEnd>((resolve) => {
      let chain = Promise.resolve();
      const onData = (chunk: Buffer) => {
        const { forward, detach } = watcher.feed(chunk);
        // conmon reads at most 32 KiB per packet and drops the rest: never send more at once.
        for (let o = 0; o < forward.length; o += CONMON_MAX_INPUT) {
          const piece = forward.subarray(o, o + CONMON_MAX_INPUT);
          chain = chain.then(() => this.sock.write(piece)).catch(() => {});
        }
        if (detach) {
          stdin.off('data', onData);
          stdin.pause();
          resolve('detached');
        }
      };
      stdin.on('data', onData);
      stdin.once('end', () => {
        void chain.then(() => {
          try {
            this.sock.shutdownWrite();
          } catch {
            /* already closed */
          }
          resolve('eof');
        });
      });
    });
  }

  close(): void {
    this.sock.close();
  }
}

function write(w: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (w.write(data)) resolve();
    else w.once('drain', () => resolve());
  });
}

/** Tell conmon the terminal size through the ctl fifo: `1 <rows> <cols>\n`. */
export function resizeTerminal(ctlPath: string, rows: number, cols: number): void {
  let fd: number;
  try {
    fd = openSync(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    writeSync(fd, `1 ${rows} ${cols}\n`);
  } catch {
    /* conmon gone */
  } finally {
    closeSync(fd);
  }
}
