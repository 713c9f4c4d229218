/**
 * AF_UNIX SOCK_SEQPACKET client sockets: conmon's attach socket is one, and Node's net module
 * cannot open them (connect fails with EPROTOTYPE). Built on libc's socket/connect/recv/send.
 *
 * Nothing here blocks the event loop: recv and send run on the main thread with MSG_DONTWAIT
 * (so their errno is ours to read), and only the wait for readiness — poll(2) — runs on a libuv
 * worker thread through a koffi async call. close() shuts the socket down first, which wakes
 * such a poll at once; the fd itself is closed only when no worker uses it any more, so its
 * number cannot be reused under a poll still running.
 */
import { closeSync, openSync } from 'node:fs';
import { SyscallError } from '../errors.js';
import { callAsync, fn, fnTyped, koffi, lastErrno } from './libc.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
const SHUT_WR = 1;
const SHUT_RDWR = 2;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const MSG_NOSIGNAL = 0x4000;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const EINTR = 4;
const EBADF = 9;
const EAGAIN = 11;
const EMSGSIZE = 90;
/** sun_path is 108 bytes including its terminating NUL. */
const SUN_PATH_SIZE = 108;

const connectFn = () =>
  fnTyped('connect:sockaddr_un', 'connect', 'int', () => {
    const k = koffi();
    const sockaddrUn = k.struct({ sun_family: 'uint16', sun_path: k.array('uint8', SUN_PATH_SIZE) });
    return ['int', k.pointer(sockaddrUn), 'uint32'];
  });

const pollFn = () =>
  fnTyped('poll:pollfd', 'poll', 'int', () => {
    const k = koffi();
    const pollfd = k.struct({ fd: 'int', events: 'short', revents: 'short' });
    return [k.inout(k.pointer(pollfd)), 'ulong', 'int'];
  });

function errnoOf(err: unknown): number {
  const e = (err as NodeJS.ErrnoException).errno;
  return typeof e === 'number' ? Math.abs(e) : 0;
}

export class SeqpacketSocket {
  private closed = false;
  private fdOpen = true;
  /** poll() calls still running on worker threads with our fd. */
  private inflight = 0;

  private constructor(private readonly fd: number) {}

  /**
   * Connect to a listening socket. Paths longer than sun_path (107 bytes) are reached through
   * /proc/self/fd/N of an O_PATH descriptor, as Podman does for deep bundle directories.
   */
  static async connect(path: string): Promise<SeqpacketSocket> {
    const fd = fn('int socket(int domain, int type, int protocol)')(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0) as number;
    if (fd < 0) throw new SyscallError('socket', lastErrno(), path);
    let pathFd: number | undefined;
    try {
      let target = path;
      if (Buffer.byteLength(path) >= SUN_PATH_SIZE) {
        try {
          pathFd = openSync(path, O_PATH | O_CLOEXEC);
        } catch (err) {
          throw new SyscallError('open', errnoOf(err), path);
        }
        target = `/proc/self/fd/${pathFd}`;
      }
      const sunPath = new Uint8Array(SUN_PATH_SIZE);
      sunPath.set(Buffer.from(target));
      // Blocking connect, on a worker: a listener with a full backlog makes it wait.
      const addr = { sun_family: AF_UNIX, sun_path: sunPath };
      for (;;) {
        const r = await callAsync(connectFn(), fd, addr, 2 + SUN_PATH_SIZE);
        if (r.value === 0) break;
        if (r.errno !== EINTR) throw new SyscallError('connect', r.errno, path);
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    } finally {
      if (pathFd !== undefined) closeSync(pathFd);
    }
    return new SeqpacketSocket(fd);
  }

  /** Wait on a worker thread until the socket is ready for `events` (or hung up, or shut down). */
  private async wait(events: number): Promise<void> {
    this.inflight++;
    try {
      const pfd = { fd: this.fd, events, revents: 0 };
      await callAsync(pollFn(), pfd, 1, -1);
    } finally {
      this.inflight--;
      if (this.closed) this.closeFd();
    }
  }

  /**
   * The next packet, whole (message boundaries are kept), or null at end of stream (the peer
   * closed or shut down its side) and after close(). A packet longer than `max` is an EMSGSIZE
   * error rather than silently cut; conmon's are at most 8193 bytes (stream byte + 8192).
   * A zero-length packet cannot be told from the end of the stream, as with read(2).
   */
  async read(max = 8193): Promise<Buffer | null> {
    const recv = fn('intptr_t recv(int fd, uint8_t *buf, size_t len, int flags)');
    for (;;) {
      if (this.closed) return null;
      const buf = Buffer.allocUnsafe(max);
      // MSG_TRUNC: the packet's real length is returned even when it did not fit.
      const n = Number(recv(this.fd, buf, max, MSG_DONTWAIT | MSG_TRUNC));
      if (n > max) throw new SyscallError('recv', EMSGSIZE, undefined, `packet of ${n} bytes, buffer of ${max}`);
      if (n === 0) return null;
      // A small packet is copied out, so that keeping it does not keep a whole buffer alive.
      if (n > 0) return n > max / 2 ? buf.subarray(0, n) : Buffer.from(buf.subarray(0, n));
      const e = lastErrno();
      if (e === EAGAIN) await this.wait(POLLIN);
      else if (e !== EINTR) throw new SyscallError('recv', e);
    }
  }

  /** Send `data` as one packet (all of it or nothing: the socket never sends part of one). */
  async write(data: Buffer): Promise<void> {
    const send = fn('intptr_t send(int fd, const uint8_t *buf, size_t len, int flags)');
    for (;;) {
      if (this.closed) throw new SyscallError('send', EBADF, undefined, 'socket closed');
      // MSG_NOSIGNAL: a peer gone is an EPIPE error, not a SIGPIPE.
      if (Number(send(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL)) >= 0) return;
      const e = lastErrno();
      if (e === EAGAIN) await this.wait(POLLOUT);
      else if (e !== EINTR) throw new SyscallError('send', e);
    }
  }

  /** Half-close: the peer reads end of stream (conmon then closes the container's stdin). */
  shutdownWrite(): void {
    if (this.closed) return;
    if (fn('int shutdown(int fd, int how)')(this.fd, SHUT_WR) !== 0) throw new SyscallError('shutdown', lastErrno());
  }

  /** Pending read()s resolve null, pending write()s fail; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fn('int shutdown(int fd, int how)')(this.fd, SHUT_RDWR); // wakes polls on worker threads
    this.closeFd();
  }

  private closeFd(): void {
    if (!this.fdOpen || this.inflight > 0) return;
    this.fdOpen = false;
    fn('int close(int fd)')(this.fd);
  }
}
