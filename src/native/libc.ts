/**
 * libc through koffi. Nothing is loaded until the first binding is called, so importing
 * src/native costs a command nothing unless it really needs a syscall (koffi itself ≈ 7 ms).
 */
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');
type Lib = ReturnType<Koffi['load']>;
/** A declared C function: call it directly, or through `.async` on a libuv worker thread. */
export type CFunction = ReturnType<Lib['func']>;
export type CType = ReturnType<Koffi['struct']>;
type TypeSpec = Parameters<Koffi['out']>[0];

let koffiMod: Koffi | undefined;
let libcHandle: Lib | undefined;
const funcs = new Map<string, CFunction>();

/** The koffi module, loaded on first use (a native addon: required, not imported). */
export function koffi(): Koffi {
  koffiMod ??= createRequire(import.meta.url)('koffi') as Koffi;
  return koffiMod;
}

function libc(): Lib {
  libcHandle ??= koffi().load('libc.so.6');
  return libcHandle;
}

/**
 * A libc function from its C prototype, declared once. Prototypes use only built-in type names:
 * named koffi types are global to the process and would clash between two copies of this module.
 */
export function fn(proto: string): CFunction {
  let f = funcs.get(proto);
  if (!f) {
    f = libc().func(proto);
    funcs.set(proto, f);
  }
  return f;
}

/** A libc function whose parameters include struct types (declared with anonymous koffi types). */
export function fnTyped(key: string, name: string, result: string, params: () => TypeSpec[]): CFunction {
  let f = funcs.get(key);
  if (!f) {
    f = libc().func(name, result, params());
    funcs.set(key, f);
  }
  return f;
}

/** errno of the last synchronous call made on the main thread. */
export function lastErrno(): number {
  return koffi().errno();
}

/** What a call on a worker thread returned, with the errno it left there. */
export interface AsyncResult<T> {
  value: T;
  errno: number;
}

/**
 * Run `f` on a libuv worker thread. koffi (≥ 3.2) restores that thread's errno while the
 * completion callback runs, so it is read there, before anything else can change it.
 */
export function callAsync<T = number>(f: CFunction, ...args: unknown[]): Promise<AsyncResult<T>> {
  return new Promise((resolve, reject) => {
    f.async(...args, (err: unknown, value: T) => {
      if (err) reject(err);
      else resolve({ value, errno: koffi().errno() });
    });
  });
}
