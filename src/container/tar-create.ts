// A tar stream of files under `cwd`, with numeric owners only: the ids as seen where we run
// (inside the user namespace: the container's ids). node-tar names the owner after $USER
// when a file is ours, which would put the host user's name on the container's root files.
import type { Readable, Writable } from 'node:stream';

export async function writeTar(cwd: string, entries: string[], out: Writable): Promise<void> {
  const tar = await import('tar');
  const user = process.env.USER;
  process.env.USER = '';
  try {
    const c = tar.c({ cwd, portable: false, follow: false }, entries);
    await new Promise<void>((res, rej) => {
      c.on('error', rej);
      out.on('error', rej);
      c.on('end', () => res());
      (c as unknown as Readable).pipe(out, { end: false });
    });
  } finally {
    if (user === undefined) delete process.env.USER;
    else process.env.USER = user;
  }
}
