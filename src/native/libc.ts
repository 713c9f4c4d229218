import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');
type Lib = ReturnType<Koffi['load']>;

let koffiMod: Koffi | undefined;
let libcHandle: Lib | undefined;
const funcs = new Map<string, any>();

/** koffi, loaded on first use: importing src/native costs nothing until a binding is called. */
export function koffi(): Koffi {
  if (!koffiMod) koffiMod = createRequire(import.meta.url)('koffi') as Koffi;
  return koffiMod;
}

function libc(): Lib {
  if (!libcHandle) libcHandle = koffi().load('libc.so.6');
  return libcHandle;
}

/** A libc function by C prototype, declared once. */
export function fn(proto: string): any {
  let f = funcs.get(proto);
  if (!f) {
    f = libc().func(proto);
    funcs.set(proto, f);
  }
  return f;
}

/** errno of the last synchronous call on this thread. */
export function lastErrno(): number {
  return koffi().errno();
}

/** Run an async koffi call as a promise (the call runs on a libuv worker thread). */
export function callAsync<T>(f: any, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    f.async(...args, (err: unknown, res: T) => (err ? reject(err) : resolve(res)));
  });
}
