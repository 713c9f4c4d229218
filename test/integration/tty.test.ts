import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, type Storage } from '../harness/index.js';

/** `run -it` driven like a person would, through tmux (send-keys / capture-pane). */
describe.skipIf(!harness().user.created)('run -it under tmux (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const sock = `tsc-tty-${process.pid}`;
  const tmux = (...args: string[]) => runAsUser('tmux', ['-L', sock, ...args]);
  const screen = async (target = 't') => (await tmux('capture-pane', '-p', '-t', target)).stdout;
  async function waitFor(re: RegExp, ms = 15_000, target = 't'): Promise<string> {
    const end = Date.now() + ms;
    let s = '';
    while (Date.now() < end) {
      s = await screen(target);
      if (re.test(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`screen never matched ${re}:\n${s}`);
  }

  beforeAll(async () => {
    storage = newStorage();
    const p = await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 });
    expect(p.code).toBe(0);
    const cmd = [process.execPath, h.bin, '--root', storage.root, '--runroot', storage.runroot, 'run', '--rm', '-it', '--name', 'tty1', 'alpine', 'sh'].join(' ');
    const r = await tmux('new-session', '-d', '-s', 't', '-x', '100', '-y', '30', `${cmd}; echo EXITED $?; sleep 120`);
    expect(r.stderr).toBe('');
  }, 180_000);
  afterAll(async () => {
    await tmux('kill-server');
    await runCli(['rm', '-f', 'tty1'], { storage });
  });

  it('gives a shell prompt on a real terminal', async () => {
    await waitFor(/\/ #\s*$/m);
    await tmux('send-keys', '-t', 't', 'echo hello-$((6*7)); tty', 'Enter');
    const s = await waitFor(/hello-42/);
    expect(s).toMatch(/^\/dev\/pts\/\d+$/m);
  });

  it('stty size follows the terminal, also after a resize', async () => {
    await tmux('send-keys', '-t', 't', 'clear; stty size', 'Enter');
    await waitFor(/^30 100$/m);
    await tmux('resize-window', '-t', 't', '-x', '120', '-y', '40');
    await new Promise((r) => setTimeout(r, 300));
    await tmux('send-keys', '-t', 't', 'clear; stty size', 'Enter');
    await waitFor(/^40 120$/m);
  });

  it('job control works', async () => {
    await tmux('send-keys', '-t', 't', 'sleep 100 &', 'Enter');
    await new Promise((r) => setTimeout(r, 300));
    await tmux('send-keys', '-t', 't', 'jobs', 'Enter');
    await waitFor(/\[1\]\+?\s+Running\s+sleep 100/);
  });

  it('ctrl-p ctrl-q detaches and leaves the container running', async () => {
    await tmux('send-keys', '-t', 't', 'C-p');
    await tmux('send-keys', '-t', 't', 'C-q');
    await waitFor(/EXITED 0/);
    const ps = await runCli(['ps', '--format', '{{.Names}} {{.State}}'], { storage });
    expect(ps.stdout).toContain('tty1 running');
  });

  it('attach --detach-keys detaches again with the chosen keys', async () => {
    const cmd = [process.execPath, h.bin, '--root', storage.root, '--runroot', storage.runroot, 'attach', '--detach-keys', 'ctrl-x,x', 'tty1'].join(' ');
    await tmux('new-session', '-d', '-s', 'd', '-x', '100', '-y', '30', `${cmd}; echo DETACHED $?; sleep 120`);
    await new Promise((res) => setTimeout(res, 500));
    await tmux('send-keys', '-t', 'd', 'echo via-d', 'Enter');
    await waitFor(/^via-d\s*$/m, 15_000, 'd');
    await tmux('send-keys', '-t', 'd', 'C-x');
    await tmux('send-keys', '-t', 'd', 'x');
    await waitFor(/DETACHED 0/, 15_000, 'd');
    const ps = await runCli(['ps', '--format', '{{.Names}} {{.State}}'], { storage });
    expect(ps.stdout).toContain('tty1 running');
  });

  it('attach re-attaches: typed commands work, `exit 5` ends it with code 5', async () => {
    const cmd = [process.execPath, h.bin, '--root', storage.root, '--runroot', storage.runroot, 'attach', 'tty1'].join(' ');
    const r = await tmux('new-session', '-d', '-s', 'a', '-x', '100', '-y', '30', `${cmd}; echo ATTEXIT $?; sleep 120`);
    expect(r.stderr).toBe('');
    // attach shows nothing until the shell writes: type a command
    await new Promise((res) => setTimeout(res, 500));
    await tmux('send-keys', '-t', 'a', 'echo back-$((2*3))', 'Enter');
    await waitFor(/^back-6\s*$/m, 15_000, 'a');
    await tmux('send-keys', '-t', 'a', 'exit 5', 'Enter');
    await waitFor(/ATTEXIT 5/, 15_000, 'a');
    // it was `run --rm`: gone once it ended
    const ps = await runCli(['ps', '-a', '--format', '{{.Names}}'], { storage });
    expect(ps.stdout).not.toContain('tty1');
  });
});
