import { closeSync, openSync } from 'node:fs';
import { SyscallError } from '../errors.js';
import { callAsync, fn, koffi, lastErrno } from './libc.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = 0o4000;
const SHUT_WR = 1;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const EAGAIN = 11;
const EINTR = 4;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
const SUN_PATH_MAX = 107;

let sockaddrType: unknown;
let pollfdType: unknown;

function types() {
  const k = koffi();
  sockaddrType ??= k.struct('tsc_sockaddr_un', { sun_family: 'uint16', sun_path: k.array('char', 108, 'Array') });
  pollfdType ??= k.struct('tsc_pollfd', { fd: 'int', events: 'short', revents: 'short' });
}

function sockaddr(path: string): { sun_family: number; sun_path: number[] } {
  const bytes = [...Buffer.from(path, 'utf8')];
  return { sun_family: AF_UNIX, sun_path: [...bytes, ...new Array(108 - bytes.length).fill(0)] };
}

/**
 * A connected AF_UNIX SOCK_SEQPACKET socket (conmon's attach socket: Node's net module cannot
 * open one). Waiting happens in poll() on a worker thread; the recv/send themselves are
 * non-blocking calls on the main thread, so errno is ours and the event loop never blocks.
 */
export class SeqpacketSocket {
  private fd: number;
  private closed = false;

  private constructor(fd: number) {
    this.fd = fd;
  }

  static async connect(path: string): Promise<SeqpacketSocket> {
    types();
    const fd = fn('int socket(int domain, int type, int protocol)')(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw new SyscallError('socket', lastErrno(), path);
    // sun_path holds 107 bytes: reach longer paths through /proc/self/fd of an O_PATH descriptor.
    let pathFd: number | undefined;
    let target = path;
    if (Buffer.byteLength(path) > SUN_PATH_MAX) {
      try {
        pathFd = openSync(path, O_PATH | O_CLOEXEC);
      } catch (err) {
        closeSync(fd);
        throw new SyscallError('open', (err as NodeJS.ErrnoException).errno ? -(err as NodeJS.ErrnoException).errno! : 2, path);
      }
      target = `/proc/self/fd/${pathFd}`;
    }
    try {
      const r = fn('int connect(int fd, const tsc_sockaddr_un *addr, uint32_t len)')(fd, sockaddr(target), 110);
      if (r !== 0) {
        const e = lastErrno();
        closeSync(fd);
        throw new SyscallError('connect', e, path);
      }
    } finally {
      if (pathFd !== undefined) closeSync(pathFd);
    }
    return new SeqpacketSocket(fd);
  }

  /** Wait until the socket is readable/writable (or closed by us), polling in slices. */
  private async wait(events: number): Promise<boolean> {
    const poll = fn('int poll(_Inout_ tsc_pollfd *fds, unsigned long nfds, int timeout)');
    while (!this.closed) {
      const pfd = { fd: this.fd, events, revents: 0 };
      const r = await callAsync<number>(poll, pfd, 1, 250);
      if (this.closed) return false;
      if (r > 0 && pfd.revents & (events | POLLERR | POLLHUP)) return true;
    }
    return false;
  }

  /** One packet (message boundaries kept), or null at end of stream. */
  async read(max = 8193): Promise<Buffer | null> {
    const recv = fn('intptr_t recv(int fd, _Out_ uint8_t *buf, size_t len, int flags)');
    for (;;) {
      if (this.closed) return null;
      const buf = Buffer.alloc(max);
      const n = Number(recv(this.fd, buf, max, MSG_DONTWAIT));
      if (n > 0) return buf.subarray(0, n);
      if (n === 0) return null;
      const e = lastErrno();
      if (e === EINTR) continue;
      if (e !== EAGAIN) throw new SyscallError('recv', e);
      if (!(await this.wait(POLLIN))) return null;
    }
  }

  /** Send one packet. */
  async write(data: Buffer): Promise<void> {
    const send = fn('intptr_t send(int fd, const uint8_t *buf, size_t len, int flags)');
    for (;;) {
      if (this.closed) throw new SyscallError('send', 9);
      const n = Number(send(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL));
      if (n >= 0) return;
      const e = lastErrno();
      if (e === EINTR) continue;
      if (e !== EAGAIN) throw new SyscallError('send', e);
      if (!(await this.wait(POLLOUT))) throw new SyscallError('send', 9);
    }
  }

  /** Half-close: the peer reads end of stream (conmon then closes the container's stdin). */
  shutdownWrite(): void {
    if (this.closed) return;
    if (fn('int shutdown(int fd, int how)')(this.fd, SHUT_WR) !== 0) throw new SyscallError('shutdown', lastErrno());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A poll() still waiting on a worker thread returns within its 250 ms slice.
    fn('int close(int fd)')(this.fd);
  }
}
