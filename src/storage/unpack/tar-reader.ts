/**
 * A push parser for tar streams: feed it decompressed chunks of any size, it calls a sink once
 * per entry (with PAX / GNU long-name headers already merged in) and passes file content through
 * without copying. No I/O, no async: the caller decides what to do with each entry.
 */
import { BLOCK, TarFormatError, isZeroBlock, parseHeader, parsePax, paxInteger, paxTime, type PaxRecords } from './tar-header.js';

export type EntryKind = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo' | 'other';

/** One archive member, as the writer sees it. Times are seconds (with fractions from PAX). */
export interface TarEntry {
  /** As recorded: PAX path > GNU long name ('L') > ustar prefix/name. Not checked for safety. */
  name: string;
  kind: EntryKind;
  /** The typeflag character ('0', '5', …; '\0' for old regular files). */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes that follow (delivered through TarSink.data for kind 'file'). */
  size: number;
  mtime: number;
  /** PAX atime, when the archive has one. */
  atime: number | undefined;
  /** Hardlink or symlink target: PAX linkpath > GNU long link ('K') > header. */
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer> | undefined;
}

export interface TarSink {
  /** An entry's header. For kind 'file', `size` bytes follow through data(), then endFile(). */
  entry(e: TarEntry): void;
  /** A piece of the current file's content; only valid during the call (it views the input chunk). */
  data(chunk: Buffer): void;
  endFile(): void;
}

export interface TarReaderLimits {
  /** Cap on entries (not counting PAX/long-name headers). */
  maxEntries: number;
  /** Cap on one PAX or GNU long-name header's data. */
  maxMetaSize: number;
}

export const DEFAULT_READER_LIMITS: TarReaderLimits = { maxEntries: 4_000_000, maxMetaSize: 1024 * 1024 };

const KIND: Record<string, EntryKind> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  D: 'dir', // GNU dumpdir (incremental): a directory whose data lists its contents
  '6': 'fifo',
};

const enum State {
  Header,
  /** Content of a regular file, passed to the sink. */
  Data,
  /** PAX or long-name data, collected. */
  Meta,
  /** Bytes to drop: content of entries that carry none we use, and block padding. */
  Skip,
  /** One zero block seen: the next must be zero too (end of archive). */
  Zero,
  Done,
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

export class TarReader {
  /** Entries seen so far. */
  entries = 0;
  /** The entry whose header or content is being read (for error messages). */
  current: string | undefined;
  /** The last entry read. */
  last: string | undefined;

  private state = State.Header;
  /** Bytes left in the current Data/Meta/Skip span; `padding` follows a Data/Meta span. */
  private remain = 0;
  private padding = 0;
  /** A header split across chunks. */
  private readonly hbuf = Buffer.alloc(BLOCK);
  private hlen = 0;
  private meta: Buffer | undefined;
  private metaLen = 0;
  private metaType = '';
  private pax: PaxRecords | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  private globals: Map<string, string> | undefined;

  constructor(
    private readonly sink: TarSink,
    private readonly limits: TarReaderLimits = DEFAULT_READER_LIMITS,
  ) {}

  /** The end-of-archive marker was read; anything after it is ignored. */
  get done(): boolean {
    return this.state === State.Done;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      switch (this.state) {
        case State.Header:
        case State.Zero: {
          if (this.hlen > 0 || n - off < BLOCK) {
            const take = Math.min(BLOCK - this.hlen, n - off);
            chunk.copy(this.hbuf, this.hlen, off, off + take);
            this.hlen += take;
            off += take;
            if (this.hlen < BLOCK) return;
            this.hlen = 0;
            this.onBlock(this.hbuf, 0);
          } else {
            this.onBlock(chunk, off);
            off += BLOCK;
          }
          break;
        }
        case State.Data: {
          const take = Math.min(this.remain, n - off);
          this.sink.data(chunk.subarray(off, off + take));
          off += take;
          this.remain -= take;
          if (this.remain === 0) {
            this.sink.endFile();
            this.skipThen(this.padding);
          }
          break;
        }
        case State.Meta: {
          const take = Math.min(this.remain, n - off);
          chunk.copy(this.meta!, this.metaLen, off, off + take);
          this.metaLen += take;
          off += take;
          this.remain -= take;
          if (this.remain === 0) {
            this.endMeta();
            this.skipThen(this.padding);
          }
          break;
        }
        case State.Skip: {
          const take = Math.min(this.remain, n - off);
          off += take;
          this.remain -= take;
          if (this.remain === 0) {
            this.state = State.Header;
            this.current = undefined;
          }
          break;
        }
        case State.Done:
          return;
      }
    }
  }

  /** End of input: fine at an entry boundary (with or without the zero blocks), else truncated. */
  end(): void {
    if (this.state === State.Done || this.state === State.Zero) return;
    if (this.state === State.Header && this.hlen === 0) return;
    throw new TarFormatError('unexpected end of archive (truncated layer)');
  }

  private skipThen(n: number): void {
    this.remain = n;
    if (n > 0) this.state = State.Skip;
    else {
      this.state = State.Header;
      this.current = undefined;
    }
  }

  private onBlock(b: Buffer, off: number): void {
    this.current = undefined;
    if (isZeroBlock(b, off)) {
      this.state = this.state === State.Zero ? State.Done : State.Zero;
      return;
    }
    if (this.state === State.Zero) throw new TarFormatError('invalid tar header after a zero block');
    const h = parseHeader(b, off);
    const t = h.type;
    if (t === 'x' || t === 'g' || t === 'L' || t === 'K') {
      if (h.size > this.limits.maxMetaSize) {
        throw new TarFormatError(`extended header of ${h.size} bytes (limit ${this.limits.maxMetaSize})`, 'TSC_ERR_HOSTILE_LAYER');
      }
      this.metaType = t;
      this.meta = Buffer.allocUnsafe(h.size);
      this.metaLen = 0;
      this.remain = h.size;
      this.padding = pad(h.size);
      if (h.size === 0) {
        this.endMeta();
        return;
      }
      this.state = State.Meta;
      return;
    }

    // A real entry: merge what the extended headers said.
    let { name, linkname, size, uid, gid, mtime } = h;
    let atime: number | undefined;
    let devmajor = h.devmajor;
    let devminor = h.devminor;
    if (this.longName !== undefined) name = this.longName;
    if (this.longLink !== undefined) linkname = this.longLink;
    const pax = this.pax;
    const g = this.globals;
    if (g) {
      // Global records apply to every later entry; names and sizes make no sense there.
      for (const [k, v] of g) {
        if (v === '') continue;
        if (k === 'uid') uid = paxInteger(k, v);
        else if (k === 'gid') gid = paxInteger(k, v);
        else if (k === 'mtime') mtime = paxTime(k, v);
        else if (k === 'atime') atime = paxTime(k, v);
      }
    }
    if (pax) {
      if (pax.sparse) {
        this.current = pax.fields.get('path') ?? name;
        throw new TarFormatError('GNU sparse files are not supported');
      }
      for (const [k, v] of pax.fields) {
        if (v === '') continue;
        switch (k) {
          case 'path':
            name = v;
            break;
          case 'linkpath':
            linkname = v;
            break;
          case 'size':
            size = paxInteger(k, v);
            break;
          case 'uid':
            uid = paxInteger(k, v);
            break;
          case 'gid':
            gid = paxInteger(k, v);
            break;
          case 'mtime':
            mtime = paxTime(k, v);
            break;
          case 'atime':
            atime = paxTime(k, v);
            break;
          case 'SCHILY.devmajor':
            devmajor = paxInteger(k, v);
            break;
          case 'SCHILY.devminor':
            devminor = paxInteger(k, v);
            break;
          // uname/gname: numeric ids win (like --numeric-owner); ctime, comment, hdrcharset: unused
        }
      }
    }
    this.pax = undefined;
    this.longName = this.longLink = undefined;
    this.current = this.last = name;

    if (t === 'S') throw new TarFormatError('GNU sparse files are not supported');
    if (t === 'M') throw new TarFormatError('multi-volume archives are not supported');
    if (uid < 0 || gid < 0) throw new TarFormatError('negative uid or gid');
    if (size < 0) throw new TarFormatError('negative size');
    if (++this.entries > this.limits.maxEntries) {
      throw new TarFormatError(`more than ${this.limits.maxEntries} entries`, 'TSC_ERR_HOSTILE_LAYER');
    }

    let kind = KIND[t] ?? 'other';
    // Old (pre-POSIX) archives mark directories only by the trailing slash.
    if (t === '\0' && name.endsWith('/')) kind = 'dir';
    const e: TarEntry = {
      name,
      kind,
      typeflag: t,
      mode: h.mode,
      uid,
      gid,
      size,
      mtime,
      atime,
      linkname,
      devmajor,
      devminor,
      xattrs: pax && pax.xattrs.size > 0 ? pax.xattrs : undefined,
    };
    this.sink.entry(e);
    if (kind === 'file') {
      if (size === 0) {
        this.sink.endFile();
        this.skipThen(0);
      } else {
        this.remain = size;
        this.padding = pad(size);
        this.state = State.Data;
      }
    } else {
      this.skipThen(size + pad(size));
    }
  }

  private endMeta(): void {
    const data = this.meta!.subarray(0, this.metaLen);
    this.meta = undefined;
    switch (this.metaType) {
      case 'x': {
        const p = parsePax(data);
        if (this.pax) {
          // two 'x' headers in a row: the later records win
          for (const [k, v] of p.fields) this.pax.fields.set(k, v);
          for (const [k, v] of p.xattrs) this.pax.xattrs.set(k, v);
          this.pax.sparse ||= p.sparse;
        } else this.pax = p;
        break;
      }
      case 'g': {
        const p = parsePax(data);
        this.globals ??= new Map();
        for (const [k, v] of p.fields) this.globals.set(k, v);
        break;
      }
      default: {
        // GNU long name/link: NUL-terminated
        const end = data.indexOf(0);
        const s = data.toString('utf8', 0, end < 0 ? data.length : end);
        if (this.metaType === 'L') this.longName = s;
        else this.longLink = s;
      }
    }
  }
}
