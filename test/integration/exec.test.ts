import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, type Storage } from '../harness/index.js';

async function until(what: string, fn: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

function suite(mode: 'rootless' | 'rootful') {
  const asRoot = mode === 'rootful';
  const h = harness();
  describe.skipIf(asRoot ? !h.root : !h.user.created)(`exec (${mode})`, () => {
    let storage: Storage;
    const cli = (args: string[], o: { input?: string } = {}) => runCli(args, { storage, timeoutMs: 60_000, ...o });

    beforeAll(async () => {
      storage = newStorage({ asRoot });
      expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
      const r = await cli(['run', '-d', '--name', 'web', '-e', 'FROM_RUN=yes', '-w', '/home', 'alpine', 'sh', '-c', 'echo up; exec sleep 600']);
      expect(r.code, r.stderr).toBe(0);
    }, 180_000);
    afterAll(async () => {
      await cli(['rm', '-f', '-t', '0', 'web']);
    });

    it("runs a command in the container's filesystem, with its output, environment and working directory", async () => {
      const r = await cli(['exec', 'web', 'sh', '-c', 'echo "$FROM_RUN $(pwd) $(cat /etc/hostname)"; echo err >&2']);
      expect(r.code, r.stderr).toBe(0);
      const id = (await cli(['inspect', '--format', '{{.Id}}', 'web'])).stdout.trim();
      expect(r.stdout).toBe(`yes /home ${id.slice(0, 12)}\n`);
      expect(r.stderr).toBe('err\n');
    });

    it('sees the processes of the container (same pid namespace)', async () => {
      const r = await cli(['exec', 'web', 'ps', '-o', 'pid,args']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\s*1\s+sleep 600$/m);
    });

    it("returns the command's exit code", async () => {
      expect((await cli(['exec', 'web', 'sh', '-c', 'exit 3'])).code).toBe(3);
      expect((await cli(['exec', 'web', 'true'])).code).toBe(0);
    });

    it('127 for a command not found and 126 for one that cannot be executed, with an error', async () => {
      const nf = await cli(['exec', 'web', '/no/such/cmd']);
      expect(nf.code).toBe(127);
      expect(nf.stderr).toMatch(/Error: .*\/no\/such\/cmd.*(not found|no such file)/i);
      const ne = await cli(['exec', 'web', '/etc/passwd']);
      expect(ne.code).toBe(126);
      expect(ne.stderr).toMatch(/Error: .*permission denied/i);
    });

    it('125 for a missing container, and for one that is not running', async () => {
      const m = await cli(['exec', 'nosuch', 'true']);
      expect(m.code).toBe(125);
      expect(m.stderr.trim().split('\n')).toHaveLength(1);
      expect(m.stderr).toMatch(/^Error: .*nosuch/);
      expect((await cli(['create', '--name', 'idle', 'alpine', 'true'])).code).toBe(0);
      const s = await cli(['exec', 'idle', 'true']);
      expect(s.code).toBe(125);
      expect(s.stderr).toMatch(/^Error: .*not running|state improper/);
      await cli(['rm', 'idle']);
    });

    it('-u, -w and -e change user, working directory and environment', async () => {
      const r = await cli(['exec', '-u', 'app', '-w', '/tmp', '-e', 'X=1', '-e', 'FROM_RUN=changed', 'web', 'sh', '-c', 'echo "$(id -u):$(id -g) $(pwd) $X $FROM_RUN $HOME"']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('1000:1000 /tmp 1 changed /home/app\n');
      const g = await cli(['exec', '-u', '1000:0', 'web', 'id']);
      expect(g.stdout).toMatch(/^uid=1000\(app\) gid=0\(root\)/);
      const bad = await cli(['exec', '-u', 'nobodyhere', 'web', 'true']);
      expect(bad.code).toBe(125);
      expect(bad.stderr).toMatch(/^Error: .*nobodyhere/);
    });

    it('-i passes stdin through; without -i the process gets none', async () => {
      const r = await cli(['exec', '-i', 'web', 'sh', '-c', 'tr a-z A-Z > /tmp/up; cat /tmp/up'], { input: 'hello exec\n' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('HELLO EXEC\n');
      const n = await cli(['exec', 'web', 'cat'], { input: 'ignored\n' });
      expect(n.code).toBe(0);
      expect(n.stdout).toBe('');
    });

    it('-d returns at once with a session id; the process runs on and is listed in ExecIDs', async () => {
      const r = await cli(['exec', '-d', 'web', 'sh', '-c', 'echo started > /tmp/bg; exec sleep 300']);
      expect(r.code, r.stderr).toBe(0);
      const sid = r.stdout.trim();
      expect(sid).toMatch(/^[0-9a-f]{64}$/);
      await until('the detached process wrote its file', async () => (await cli(['exec', 'web', 'cat', '/tmp/bg'])).stdout === 'started\n');
      const ps = await cli(['exec', 'web', 'ps', '-o', 'args']);
      expect(ps.stdout).toMatch(/^sleep 300$/m);
      expect((await cli(['inspect', '--format', '{{json .ExecIDs}}', 'web'])).stdout.trim()).toBe(JSON.stringify([sid]));
    });

    it('stop ends the container with its exec sessions, and exec is refused afterwards', async () => {
      expect((await cli(['run', '-d', '--name', 'short', 'alpine', 'sleep', '600'])).code).toBe(0);
      expect((await cli(['exec', '-d', 'short', 'sleep', '500'])).code).toBe(0);
      expect((await cli(['stop', '-t', '1', 'short'])).code).toBe(0);
      const e = await cli(['exec', 'short', 'true']);
      expect(e.code).toBe(125);
      expect((await cli(['inspect', '--format', '{{json .ExecIDs}}', 'short'])).stdout.trim()).toBe('[]');
      expect((await cli(['rm', 'short'])).code).toBe(0);
    }, 60_000);
  });
}

suite('rootless');
suite('rootful');

/** `exec -it` driven through tmux: a real terminal for the exec'd shell. */
describe.skipIf(!harness().user.created)('exec -it under tmux (rootless)', () => {
  const h = harness();
  let storage: Storage;
  const sock = `tsc-exec-${process.pid}`;
  const tmux = (...args: string[]) => runAsUser('tmux', ['-L', sock, ...args]);
  async function waitFor(re: RegExp, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    let s = '';
    while (Date.now() < end) {
      s = (await tmux('capture-pane', '-p', '-t', 'x')).stdout;
      if (re.test(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`screen never matched ${re}:\n${s}`);
  }

  beforeAll(async () => {
    storage = newStorage();
    expect((await runCli(['pull', '-q', 'alpine'], { storage, timeoutMs: 120_000 })).code).toBe(0);
    expect((await runCli(['run', '-d', '--name', 'tt', 'alpine', 'sleep', '600'], { storage })).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await tmux('kill-server');
    await runCli(['rm', '-f', '-t', '0', 'tt'], { storage });
  });

  it('gives an interactive shell on a terminal; `exit 4` returns 4 and the container runs on', async () => {
    const cmd = [process.execPath, h.bin, '--root', storage.root, '--runroot', storage.runroot, 'exec', '-it', 'tt', 'sh'].join(' ');
    const r = await tmux('new-session', '-d', '-s', 'x', '-x', '90', '-y', '25', `${cmd}; echo EXECEXIT $?; sleep 120`);
    expect(r.stderr).toBe('');
    await tmux('send-keys', '-t', 'x', 'tty; stty size; echo sum-$((20+22))', 'Enter');
    const s = await waitFor(/sum-42/);
    expect(s).toMatch(/\/dev\/pts\/\d+/);
    expect(s).toMatch(/^25 90$/m);
    await tmux('send-keys', '-t', 'x', 'exit 4', 'Enter');
    await waitFor(/EXECEXIT 4/);
    const st = await runCli(['inspect', '--format', '{{.State.Status}}', 'tt'], { storage });
    expect(st.stdout.trim()).toBe('running');
  }, 60_000);
});
