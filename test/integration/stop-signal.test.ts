// --stop-signal, the image's StopSignal and --stop-timeout, as `stop` honours them.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_CONFIG, buildImage, busyboxLayer, harness, newStorage, pushImage, runCli, type Storage } from '../harness/index.js';

const h = harness();

// Reports the signal it got in its log, and exits with a code that names it.
const TRAPS = 'trap "echo got USR1; exit 10" USR1; trap "echo got TERM; exit 15" TERM; echo ready; while :; do sleep 0.1; done';

describe('stop signal and stop timeout', () => {
  let storage: Storage;
  let usr1Image: string;

  beforeAll(async () => {
    storage = newStorage();
    // an image whose config says STOPSIGNAL SIGUSR1
    const layout = join(mkdtempSync(join(h.runDir, 'stopsig-')), 'layout');
    const src = buildImage(layout, 'usr1', { layers: [busyboxLayer], config: { ...BUSYBOX_CONFIG, stopSignal: 'SIGUSR1' } });
    usr1Image = `${h.registry}/tsc/stopsig:usr1`;
    pushImage(src, usr1Image);
    for (const img of ['alpine', usr1Image]) {
      const r = await runCli(['pull', '-q', img], { storage, timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  }, 180_000);

  async function runUntilReady(args: string[]): Promise<string> {
    const r = await runCli(['run', '-d', ...args], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    for (let i = 0; i < 200; i++) {
      if ((await runCli(['logs', id], { storage })).stdout.includes('ready')) return id;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`${args.join(' ')} never got ready`);
  }

  async function exitCode(id: string): Promise<string> {
    return (await runCli(['ps', '-a', '--filter', `id=${id}`, '--format', '{{.State}} {{.ExitCode}}'], { storage })).stdout.trim();
  }

  it("the image's StopSignal (SIGUSR1) is what stop sends", async () => {
    const id = await runUntilReady([usr1Image, 'sh', '-c', TRAPS]);
    const t0 = Date.now();
    const stop = await runCli(['stop', id], { storage });
    // regression: stop returned only when the (unneeded) 10 s timer ran out
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(stop.stderr).toBe('');
    expect(stop.stdout).toBe(`${id}\n`);
    expect(stop.code).toBe(0);
    expect((await runCli(['logs', id], { storage })).stdout).toBe('ready\ngot USR1\n');
    expect(await exitCode(id)).toBe('exited 10');
  });

  it('--stop-signal SIGUSR1 on an image without one', async () => {
    const id = await runUntilReady(['--stop-signal', 'SIGUSR1', 'alpine', 'sh', '-c', TRAPS]);
    expect((await runCli(['stop', id], { storage })).code).toBe(0);
    expect((await runCli(['logs', id], { storage })).stdout).toBe('ready\ngot USR1\n');
    expect(await exitCode(id)).toBe('exited 10');
  });

  it('--stop-signal wins over the image; a number works too', async () => {
    const id = await runUntilReady(['--stop-signal', '15', usr1Image, 'sh', '-c', TRAPS]);
    expect((await runCli(['stop', id], { storage })).code).toBe(0);
    expect((await runCli(['logs', id], { storage })).stdout).toBe('ready\ngot TERM\n');
    expect(await exitCode(id)).toBe('exited 15');
  });

  it('a bad --stop-signal is an error before anything is created', async () => {
    const r = await runCli(['create', '--stop-signal', 'SIGNOPE', 'alpine', 'true'], { storage });
    expect(r.stderr).toMatch(/^Error: .*SIGNOPE/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.code).toBe(125);
  });

  it('--stop-timeout 1: a container that ignores SIGTERM is killed after the timeout (137)', async () => {
    const id = await runUntilReady(['--stop-timeout', '1', 'alpine', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    const t0 = Date.now();
    const stop = await runCli(['stop', id], { storage });
    const took = Date.now() - t0;
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(await exitCode(id)).toBe('exited 137');
    // the default (10 s) would not have been this quick; a loose bound, the machine is slow
    expect(took).toBeLessThan(9000);
  });

  it('stop -t overrides --stop-timeout', async () => {
    const id = await runUntilReady(['--stop-timeout', '600', 'alpine', 'sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']);
    const stop = await runCli(['stop', '-t', '1', id], { storage, timeoutMs: 30_000 });
    expect(stop.code).toBe(0);
    expect(await exitCode(id)).toBe('exited 137');
  });

  it.skipIf(!h.root)('rootful: the image StopSignal and --stop-timeout', async () => {
    const s = newStorage({ asRoot: true });
    expect((await runCli(['pull', '-q', usr1Image], { storage: s, timeoutMs: 120_000 })).code).toBe(0);
    const r = await runCli(['run', '-d', usr1Image, 'sh', '-c', TRAPS], { storage: s });
    const id = r.stdout.trim();
    for (let i = 0; i < 200 && !(await runCli(['logs', id], { storage: s })).stdout.includes('ready'); i++) await new Promise((res) => setTimeout(res, 100));
    expect((await runCli(['stop', id], { storage: s })).code).toBe(0);
    expect((await runCli(['logs', id], { storage: s })).stdout).toBe('ready\ngot USR1\n');
    const k = await runCli(['run', '-d', '--stop-timeout', '1', 'alpine', 'sh', '-c', 'trap "" TERM; sleep 600 & wait'], { storage: s });
    expect(k.code).toBe(0);
    const kid = k.stdout.trim();
    expect((await runCli(['stop', kid], { storage: s, timeoutMs: 30_000 })).code).toBe(0);
    const ps = await runCli(['ps', '-a', '--filter', `id=${kid}`, '--format', '{{.ExitCode}}'], { storage: s });
    expect(ps.stdout).toBe('137\n');
  });
});
