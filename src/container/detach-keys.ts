import { UsageError } from '../errors.js';

/**
 * `--detach-keys` ("ctrl-p,ctrl-q", "ctrl-a,x", "" to disable) to the byte sequence that
 * detaches, as Podman reads it.
 */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length === 1) {
      out.push(k.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/i.exec(k);
    if (m) {
      const c = m[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
      else if (c === '@') out.push(0);
      else if (c === '[') out.push(27);
      else if (c === '\\') out.push(28);
      else if (c === ']') out.push(29);
      else if (c === '^') out.push(30);
      else if (c === '_') out.push(31);
      else throw new UsageError(`invalid detach keys "${spec}": unknown character "${k}"`);
      continue;
    }
    throw new UsageError(`invalid detach keys "${spec}": "${k}" is not a single character or ctrl-<key>`);
  }
  return Buffer.from(out);
}

/**
 * Watches stdin for the detach sequence. Like Podman, the keys count only when they arrive one
 * per read (a person typing); a partial match is flushed to the container unchanged.
 */
export class DetachWatcher {
  private matched = 0;
  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward and whether the user asked to detach. */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    if (chunk.length === 1 && chunk[0] === this.keys[this.matched]) {
      this.matched++;
      if (this.matched === this.keys.length) {
        this.matched = 0;
        return { forward: Buffer.alloc(0), detach: true };
      }
      return { forward: Buffer.alloc(0), detach: false };
    }
    const pending = this.keys.subarray(0, this.matched);
    this.matched = 0;
    if (chunk.length === 1 && chunk[0] === this.keys[0]) {
      this.matched = 1;
      return { forward: Buffer.from(pending), detach: false };
    }
    return { forward: Buffer.concat([pending, chunk]), detach: false };
  }
}
