// Shared by the unpacker tests: archives made by independent tools (GNU tar, python3 tarfile,
// gzip, zstd), trees compared file by file, and a bundle of the unpacker for child processes.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lgetxattr, llistxattr } from '../../../src/native/index.js';
import { unpackLayer, type UnpackOptions, type UnpackResult } from '../../../src/storage/unpack/index.js';

export const repo = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
export const isRoot = process.getuid?.() === 0;

const temps: string[] = [];
export function tempDir(prefix = 'tsc-unpack-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256sum` of a file, as the independent reference for diff IDs. */
export function sha256sum(path: string): string {
  return `sha256:${execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]}`;
}

/** Run python3 with `script`; `argv` after it, `stdin` as its input. */
export function python(script: string, argv: string[] = [], stdin = ''): string {
  return execFileSync('python3', ['-c', script, ...argv], { encoding: 'utf8', input: stdin, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Build a tar with python's tarfile from a JSON list of members. Each member: {name, type
 * ('file'|'dir'|'symlink'|'hardlink'|'fifo'|'char'|'block'|raw typeflag char), data?, linkname?,
 * mode?, uid?, gid?, mtime?, pax?: {k: v}, size? (declared size for a file without real data),
 * devmajor?, devminor?}. `format`: 'pax' | 'gnu' | 'ustar'.
 */
export function pyTar(path: string, members: object[], format: 'pax' | 'gnu' | 'ustar' = 'pax'): string {
  python(
    `
import io, json, sys, tarfile
members = json.loads(sys.stdin.read())
fmt = {'pax': tarfile.PAX_FORMAT, 'gnu': tarfile.GNU_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[sys.argv[2]]
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'fifo': tarfile.FIFOTYPE, 'char': tarfile.CHRTYPE, 'block': tarfile.BLKTYPE}
with tarfile.open(sys.argv[1], 'w', format=fmt) as t:
    for m in members:
        ti = tarfile.TarInfo(m['name'])
        ti.type = types.get(m.get('type', 'file'), (m.get('type') or '0').encode())
        ti.mode = m.get('mode', 0o755 if m.get('type') == 'dir' else 0o644)
        ti.uid = m.get('uid', 0); ti.gid = m.get('gid', 0)
        ti.mtime = m.get('mtime', 1700000000)
        ti.linkname = m.get('linkname', '')
        ti.devmajor = m.get('devmajor', 0); ti.devminor = m.get('devminor', 0)
        if 'pax' in m: ti.pax_headers = m['pax']
        data = m.get('data', '').encode('utf-8')
        if ti.type in (tarfile.REGTYPE, b'0', b'7') or m.get('withData'):
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        else:
            t.addfile(ti)
`,
    [path, format],
    JSON.stringify(members),
  );
  return path;
}

/** GNU tar: archive `dir` (entries named ./…) into `out`, pax format with xattrs, numeric owners. */
export function gnuTar(dir: string, out: string, extra: string[] = []): string {
  execFileSync('tar', ['--format=pax', '--xattrs', '--xattrs-include=*', '--numeric-owner', ...extra, '-cf', out, '-C', dir, '.']);
  return out;
}

/** GNU tar's extraction as root, the reference result. */
export function gnuExtract(tarPath: string, dest: string): void {
  execFileSync('tar', ['-xpf', tarPath, '--xattrs', '--xattrs-include=*', '--numeric-owner', '--same-owner', '-C', dest]);
}

export function compress(path: string, how: 'gzip' | 'zstd'): string {
  if (how === 'gzip') execFileSync('gzip', ['-k', '-f', '-6', path]);
  else execFileSync('zstd', ['-q', '-f', '-k', path, '-o', `${path}.zst`]);
  return how === 'gzip' ? `${path}.gz` : `${path}.zst`;
}

export async function unpackFile(path: string, dest: string, opts: Partial<UnpackOptions> = {}): Promise<UnpackResult> {
  return await unpackLayer(createReadStream(path), dest, { compression: 'none', rootless: false, layerName: 'sha256:test', ...opts });
}

export interface NodeInfo {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';
  mode: string;
  uid: number;
  gid: number;
  size?: number;
  sha?: string;
  link?: string;
  rdev?: string;
  mtimeNs?: bigint;
  xattrs: Record<string, string>;
  /** First path (in walk order) of this inode's hardlink group. */
  inode?: string;
}

/** Every node under `root` ('.' = root itself), with what a layer must preserve. */
export function snapshot(root: string, opts: { times?: boolean } = {}): Map<string, NodeInfo> {
  const out = new Map<string, NodeInfo>();
  const inodes = new Map<bigint, string>();
  const walk = (rel: string) => {
    const abs = rel === '.' ? root : join(root, rel);
    const st = lstatSync(abs, { bigint: true });
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isFIFO()
            ? 'fifo'
            : st.isCharacterDevice()
              ? 'char'
              : st.isBlockDevice()
                ? 'block'
                : 'socket';
    const xattrs: Record<string, string> = {};
    for (const name of llistxattr(abs).sort()) xattrs[name] = lgetxattr(abs, name)!.toString('hex');
    const info: NodeInfo = { type, mode: (Number(st.mode) & 0o7777).toString(8), uid: Number(st.uid), gid: Number(st.gid), xattrs };
    if (type === 'file') {
      info.size = Number(st.size);
      info.sha = sha256(readFileSync(abs));
      const first = inodes.get(st.ino);
      if (first === undefined) inodes.set(st.ino, rel);
      info.inode = first ?? rel;
    }
    if (type === 'symlink') info.link = readlinkSync(abs);
    if (type === 'char' || type === 'block') info.rdev = String(st.rdev);
    if (opts.times !== false && type !== 'symlink') info.mtimeNs = st.mtimeNs;
    if (type === 'symlink' && opts.times !== false) info.mtimeNs = st.mtimeNs;
    out.set(rel, info);
    if (type === 'dir') for (const n of readdirSync(abs).sort()) walk(rel === '.' ? n : `${rel}/${n}`);
  };
  walk('.');
  return out;
}

/**
 * Differences between two snapshots, one line each. mtimes are compared to within 1 µs: Node's
 * utimes takes a double of seconds (≈ 0.2 µs resolution today), GNU tar sets nanoseconds.
 */
export function diffSnapshots(ours: Map<string, NodeInfo>, ref: Map<string, NodeInfo>): string[] {
  const out: string[] = [];
  for (const [p, r] of ref) {
    const o = ours.get(p);
    if (!o) {
      out.push(`missing ${p}`);
      continue;
    }
    const { mtimeNs: om, ...orest } = o;
    const { mtimeNs: rm, ...rrest } = r;
    if (JSON.stringify(orest) !== JSON.stringify(rrest)) out.push(`${p}: ours ${JSON.stringify(orest)} gnu ${JSON.stringify(rrest)}`);
    if (om !== undefined && rm !== undefined && (om > rm ? om - rm : rm - om) > 1000n) out.push(`${p}: mtime ours ${om} gnu ${rm}`);
  }
  for (const p of ours.keys()) if (!ref.has(p)) out.push(`extra ${p}`);
  return out;
}

/** All paths under `dir` (for "nothing else was created" checks). */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      out.push(r);
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

/**
 * Bundle a TypeScript script (importing src/ by absolute path) into a temp .mjs that plain node
 * runs; koffi stays external and resolves through a node_modules symlink.
 */
export async function bundle(contents: string): Promise<string> {
  const { build } = await import('esbuild');
  const dir = tempDir('tsc-unpack-bundle-');
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const script = join(dir, 'script.mjs');
  await build({
    stdin: { contents, resolveDir: repo, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    external: ['koffi'],
    logLevel: 'error',
  });
  return script;
}

/**
 * Run `node script args…` inside a new user namespace that maps ids 0–65535 to themselves:
 * root there has no capabilities over the host (no mknod of devices, no trusted.* xattrs), like
 * a rootless user. A shell in the namespace waits until we have written its id maps, then execs
 * node (exec'ing before the maps exist would drop the namespace capabilities).
 */
export async function runInUserns(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('unshare', ['--user', '--', 'sh', '-c', 'echo ready; read go; exec "$@"', 'sh', process.execPath, script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (stdout.includes('ready\n')) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    void exited.then((c) => reject(new Error(`userns child exited ${c} before it was ready: ${stderr}`)));
  });
  writeFileSync(`/proc/${child.pid}/uid_map`, '0 0 65536\n');
  writeFileSync(`/proc/${child.pid}/gid_map`, '0 0 65536\n');
  child.stdin.end('go\n');
  const code = await exited;
  return { code, stdout: stdout.slice(stdout.indexOf('ready\n') + 6), stderr };
}
