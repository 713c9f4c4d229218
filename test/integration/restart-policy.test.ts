import { beforeAll, describe, expect, it } from 'vitest';
import { newStorage, runCli, type Storage } from '../harness/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('--restart without a daemon', () => {
  let storage: Storage;
  const image = 'alpine';

  beforeAll(async () => {
    storage = newStorage();
    const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
  });

  async function psRow(name: string): Promise<{ state: string; restarts: number; code: number }> {
    const r = await runCli(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.State}} {{.Restarts}} {{.ExitCode}}'], { storage });
    const [state, restarts, code] = r.stdout.trim().split(' ');
    return { state: state ?? '', restarts: Number(restarts), code: Number(code) };
  }

  /** Poll until `pred` holds for `stableMs` in a row (or fail after `timeoutMs`). */
  async function settle(name: string, pred: (r: Awaited<ReturnType<typeof psRow>>) => boolean, stableMs = 3000, timeoutMs = 60_000) {
    const end = Date.now() + timeoutMs;
    let since: number | undefined;
    let last = await psRow(name);
    while (Date.now() < end) {
      last = await psRow(name);
      if (pred(last)) {
        since ??= Date.now();
        if (Date.now() - since >= stableMs) return last;
      } else since = undefined;
      await sleep(200);
    }
    throw new Error(`${name} never settled: last ${JSON.stringify(last)}`);
  }

  it('bad policies are usage errors', async () => {
    for (const [p, msg] of [
      ['sometimes', /invalid restart policy/],
      ['always:3', /retries can only be specified with on-failure/],
      ['on-failure:x', /retry count/],
    ] as const) {
      const r = await runCli(['create', '--restart', p, image, 'true'], { storage });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(msg);
    }
    const rm = await runCli(['run', '--rm', '--restart', 'always', image, 'true'], { storage });
    expect(rm.code).toBe(125);
    expect(rm.stderr).toMatch(/--rm option conflicts with --restart/);
  });

  it('on-failure:2 with a failing command: restarted twice, then stays exited', async () => {
    const r = await runCli(['run', '-d', '--name', 'fails', '--restart', 'on-failure:2', image, 'sh', '-c', 'exit 3'], { storage });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const row = await settle('fails', (x) => x.state === 'exited' && x.restarts === 2, 4000);
    expect(row).toEqual({ state: 'exited', restarts: 2, code: 3 });
    expect((await runCli(['rm', 'fails'], { storage })).code).toBe(0);
  });

  it('on-failure does not restart a clean exit', async () => {
    const r = await runCli(['run', '-d', '--name', 'clean', '--restart', 'on-failure', image, 'true'], { storage });
    expect(r.code).toBe(0);
    const row = await settle('clean', (x) => x.state === 'exited', 3000);
    expect(row.restarts).toBe(0);
    await runCli(['rm', 'clean'], { storage });
  });

  it('always: restarted after clean exits until stop; stop ends it for good', async () => {
    const r = await runCli(['run', '-d', '--name', 'again', '--restart', 'always', image, 'sh', '-c', 'sleep 0.5'], { storage });
    expect(r.code).toBe(0);
    await settle('again', (x) => x.restarts >= 2, 0);
    const stop = await runCli(['stop', '-t', '2', 'again'], { storage });
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    const after = await settle('again', (x) => x.state === 'exited', 3000);
    const again = await psRow('again');
    expect(again.restarts).toBe(after.restarts);
    expect(again.state).toBe('exited');
    // a user start clears the stop: the policy applies again
    expect((await runCli(['start', 'again'], { storage })).code).toBe(0);
    await settle('again', (x) => x.restarts >= 1, 0);
    expect((await runCli(['rm', '-f', 'again'], { storage })).code).toBe(0);
  });
});
