// Shared by the native tests: temp dirs, child processes that signal readiness, and a bundle of
// src/native that plain `node` can run (for execve, which must replace a whole process).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const isRoot = process.getuid?.() === 0;
export const repo = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Spawn and wait for the first line on stdout (the child says it is ready); `out()` is all stdout so far. */
export async function spawnReady(cmd: string, args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; out: () => string }> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((res, rej) => {
    const onData = () => {
      if (!out.includes('\n')) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      res();
    };
    const onExit = (code: number | null) => rej(new Error(`${cmd} exited ${code} before it was ready: ${err}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return { child, out: () => out };
}

export function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/**
 * Bundle `entry` (TypeScript, importing src/native by absolute path) into a temp .mjs that plain
 * node runs; koffi stays external and resolves through a node_modules symlink beside the bundle.
 */
export async function bundleScript(contents: string): Promise<{ script: string; cleanup: () => void }> {
  const { build } = await import('esbuild');
  const t = tempDir('tsc-native-bundle-');
  symlinkSync(join(repo, 'node_modules'), join(t.dir, 'node_modules'));
  const script = join(t.dir, 'script.mjs');
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
  return { script, cleanup: t.cleanup };
}

export const nativeIndex = JSON.stringify(join(repo, 'src/native/index.ts'));
