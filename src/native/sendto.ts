/**
 * One datagram to an AF_UNIX SOCK_DGRAM socket (sd_notify's transport): Node has no unix
 * datagram sockets. A name starting with `@` is in the abstract namespace, as systemd writes it.
 */
import { SyscallError } from '../errors.js';
import { fn, fnTyped, koffi, lastErrno } from './libc.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_SIZE = 108;

const sendtoFn = () =>
  fnTyped('sendto:sockaddr_un', 'sendto', 'intptr_t', () => {
    const k = koffi();
    const sockaddrUn = k.struct({ sun_family: 'uint16', sun_path: k.array('uint8', SUN_PATH_SIZE) });
    return ['int', 'uint8_t *', 'size_t', 'int', k.pointer(sockaddrUn), 'uint32'];
  });

/** Send `message` as one datagram to the socket named `address` (a path or `@abstract`). */
export function sendUnixDatagram(address: string, message: string): void {
  const name = address.startsWith('@') ? Buffer.concat([Buffer.from([0]), Buffer.from(address.slice(1))]) : Buffer.from(address);
  if (name.length >= SUN_PATH_SIZE) throw new SyscallError('sendto', 36 /* ENAMETOOLONG */, address);
  const sunPath = new Uint8Array(SUN_PATH_SIZE);
  sunPath.set(name);
  // abstract names are exactly their bytes; paths are NUL-terminated
  const addrLen = 2 + name.length + (address.startsWith('@') ? 0 : 1);
  const fd = fn('int socket(int domain, int type, int protocol)')(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number;
  if (fd < 0) throw new SyscallError('socket', lastErrno(), address);
  try {
    const data = Buffer.from(message);
    const n = Number(sendtoFn()(fd, data, data.length, MSG_NOSIGNAL, { sun_family: AF_UNIX, sun_path: sunPath }, addrLen));
    if (n < 0) throw new SyscallError('sendto', lastErrno(), address);
  } finally {
    fn('int close(int fd)')(fd);
  }
}
