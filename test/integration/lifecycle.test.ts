import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, harness, newStorage, runCli, type Storage } from '../harness/index.js';

const image = 'alpine';
const ID = /^[0-9a-f]{64}$/;

/** Container records on disk (what every command reads). */
function recordOf(storage: Storage, id: string): { name: string; state: { status: string; pid?: number; conmonPid?: number } } {
  return JSON.parse(readFileSync(join(storage.root, 'containers', id, 'container.json'), 'utf8'));
}

async function idOf(storage: Storage, name: string): Promise<string> {
  const r = await runCli(['ps', '-a', '--no-trunc', '--filter', `name=^${name}$`, '--format', '{{.ID}}'], { storage });
  return r.stdout.trim();
}

async function until(what: string, fn: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * Start `tsc-ctr ARGS` as the user that owns the store and SIGKILL it: after `delayMs`, or (when
 * delayMs is 'on-id') as soon as it printed a container id. Resolves with what it printed.
 */
function runAndKill(storage: Storage, args: string[], delayMs: number | 'on-id'): Promise<string> {
  const h = harness();
  const asRoot = storage.asRoot;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [h.bin, '--root', storage.root, '--runroot', storage.runroot, ...args], {
      env: cleanEnv({ asRoot }),
      cwd: asRoot ? '/root' : h.user.home,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(!asRoot && h.user.created ? { uid: h.user.uid, gid: h.user.gid } : {}),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (delayMs === 'on-id' && /[0-9a-f]{64}/.test(out)) child.kill('SIGKILL');
    });
    child.stderr.on('data', () => {});
    if (delayMs !== 'on-id') setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('close', () => resolve(out));
  });
}

function suite(mode: 'rootless' | 'rootful') {
  const asRoot = mode === 'rootful';
  const h = harness();
  describe.skipIf(asRoot ? !h.root : !h.user.created)(`container lifecycle (${mode})`, () => {
    let storage: Storage;

    beforeAll(async () => {
      storage = newStorage({ asRoot });
      const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
      expect(r.code).toBe(0);
    }, 180_000);

    it('restart keeps the config, changes the process, and starts exited containers again', async () => {
      const d = await runCli(['run', '-d', '--name', 'rs', image, 'sh', '-c', 'echo started; exec sleep 600'], { storage });
      expect(d.code).toBe(0);
      const id = d.stdout.trim();
      const pid1 = recordOf(storage, id).state.pid;
      const r = await runCli(['restart', '-t', '0', 'rs'], { storage });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('rs\n');
      expect(r.code).toBe(0);
      const after = recordOf(storage, id).state;
      expect(after.status).toBe('running');
      expect(after.pid).not.toBe(pid1);
      await until('two starts logged', async () => (await runCli(['logs', 'rs'], { storage })).stdout === 'started\nstarted\n');

      const e = await runCli(['run', '--name', 'rs-exited', image, 'sh', '-c', 'echo once; exit 3'], { storage });
      expect(e.code).toBe(3);
      const r2 = await runCli(['restart', 'rs-exited'], { storage });
      expect(r2.code).toBe(0);
      expect((await runCli(['wait', 'rs-exited'], { storage })).stdout.trim()).toBe('3');
      expect((await runCli(['logs', 'rs-exited'], { storage })).stdout).toBe('once\nonce\n');

      const running = await runCli(['restart', '--running', '-t', '0'], { storage });
      expect(running.stdout.trim()).toBe(id);
      expect((await runCli(['restart', 'no-such-ctr'], { storage })).stderr).toMatch(/^Error: no container with name or ID "no-such-ctr" found/);
      await runCli(['rm', '-f', '-t', '0', 'rs', 'rs-exited'], { storage });
    }, 120_000);

    it('restart keeps an --rm container (it runs again); stopping it then removes it', async () => {
      const d = await runCli(['run', '-d', '--rm', '--name', 'rs-rm', image, 'sh', '-c', 'echo up; exec sleep 600'], { storage });
      expect(d.code).toBe(0);
      const id = d.stdout.trim();
      const r = await runCli(['restart', '-t', '0', 'rs-rm'], { storage });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // the old run's exit command has run by now (start waits for it): still there, running
      expect(recordOf(storage, id).state.status).toBe('running');
      expect((await runCli(['exec', 'rs-rm', 'cat', '/proc/1/cmdline'], { storage })).stdout).toBe('sleep\x00600\x00');
      expect((await runCli(['stop', '-t', '0', 'rs-rm'], { storage })).code).toBe(0);
      await until('the --rm container is removed', async () => !existsSync(join(storage.root, 'containers', id)));
      expect((await runCli(['ps', '-a', '-q'], { storage })).stdout).not.toContain(id.slice(0, 12));
    }, 60_000);

    it('start right after an exit: the old exit command does not unmount the new run', async () => {
      // `wait` returns when the exit file appears; conmon's cleanup may still be on its way
      for (let i = 0; i < 3; i++) {
        const name = `again-${i}`;
        expect((await runCli(['run', '-d', '--name', name, image, 'echo', 'hi'], { storage })).code).toBe(0);
        expect((await runCli(['wait', name], { storage })).stdout).toBe('0\n');
        const s = await runCli(['start', '-a', name], { storage });
        expect(s.stderr).toBe('');
        expect(s.stdout).toBe('hi\n');
        expect(s.code).toBe(0);
        expect((await runCli(['logs', name], { storage })).stdout).toBe('hi\nhi\n');
        await runCli(['rm', name], { storage });
      }
    }, 120_000);

    it('rename: running containers too; validation and uniqueness errors', async () => {
      const d = await runCli(['run', '-d', '--name', 'old-name', image, 'sleep', '600'], { storage });
      expect(d.code).toBe(0);
      await runCli(['create', '--name', 'taken', image, 'true'], { storage });
      const r = await runCli(['rename', 'old-name', 'new.name_1'], { storage });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((await runCli(['ps', '--format', '{{.Names}} {{.State}}'], { storage })).stdout).toContain('new.name_1 running');
      expect((await runCli(['stop', 'old-name'], { storage })).code).not.toBe(0);

      const bad = await runCli(['rename', 'new.name_1', 'bad/name'], { storage });
      expect(bad.code).toBe(125);
      expect(bad.stderr).toBe('Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument\n');
      const clash = await runCli(['rename', 'new.name_1', 'taken'], { storage });
      expect(clash.code).toBe(125);
      expect(clash.stderr).toMatch(/^Error: the container name "taken" is already in use by [0-9a-f]{64}\./);

      const stop = await runCli(['stop', '-t', '0', 'new.name_1'], { storage });
      expect(stop.stdout).toBe('new.name_1\n');
      expect((await runCli(['ps', '-a', '--filter', 'name=new.name_1', '--format', '{{.State}}'], { storage })).stdout.trim()).toBe('exited');
      // the old name is free again
      expect((await runCli(['create', '--name', 'old-name', image, 'true'], { storage })).code).toBe(0);
      await runCli(['rm', '-f', 'new.name_1', 'taken', 'old-name'], { storage });
    }, 120_000);

    it('container prune removes stopped containers only, asks first, and filters', async () => {
      const up = (await runCli(['run', '-d', '--name', 'pr-up', image, 'sleep', '600'], { storage })).stdout.trim();
      const exited = await runCli(['run', '--name', 'pr-exited', '--label', 'keep=yes', image, 'true'], { storage });
      expect(exited.code).toBe(0);
      const created = (await runCli(['create', '--name', 'pr-created', image, 'true'], { storage })).stdout.trim();
      const exitedId = await idOf(storage, 'pr-exited');

      const no = await runCli(['container', 'prune'], { storage, input: 'n\n' });
      expect(no.stdout).toBe('WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ');
      expect(no.code).toBe(0);
      expect(existsSync(join(storage.root, 'containers', created))).toBe(true);

      const filtered = await runCli(['container', 'prune', '-f', '--filter', 'label!=keep=yes'], { storage });
      expect(filtered.stdout).toBe(`${created}\n`);
      const badFilter = await runCli(['container', 'prune', '-f', '--filter', 'color=red'], { storage });
      expect(badFilter.code).toBe(125);
      expect(badFilter.stderr).toMatch(/^Error: .*color/);

      const yes = await runCli(['container', 'prune', '--filter', 'until=1h'], { storage, input: 'y\n' });
      expect(yes.stdout).not.toContain(exitedId); // not an hour old yet
      const all = await runCli(['container', 'prune', '-f'], { storage });
      expect(all.stdout).toBe(`${exitedId}\n`);
      expect((await runCli(['ps', '-a', '-q', '--no-trunc'], { storage })).stdout.trim()).toBe(up);
      await runCli(['rm', '-f', 'pr-up'], { storage });
    }, 120_000);

    it('top: default columns, AIX descriptors, container and host pids; refuses a stopped container', async () => {
      const d = await runCli(['run', '-d', '--name', 'tp', image, 'sh', '-c', 'sleep 600 & wait'], { storage });
      const id = d.stdout.trim();
      const hostPid = recordOf(storage, id).state.pid!;
      await until('sleep started', async () => (await runCli(['top', 'tp'], { storage })).stdout.includes('sleep 600'));
      const t = await runCli(['top', 'tp'], { storage });
      expect(t.stderr).toBe('');
      const lines = t.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
      expect(lines[0]).toEqual(['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']);
      expect(lines[1]).toEqual(['root', '1', '0', expect.stringMatching(/^\d+\.\d{3}$/), expect.stringMatching(/^[\d.hm]+s$/), '?', '0s', 'sh -c sleep 600 & wait']);
      expect(lines[2]).toEqual(['root', expect.stringMatching(/^[2-9]\d*$/), '1', expect.any(String), expect.any(String), '?', '0s', 'sleep 600']);
      expect(lines).toHaveLength(3);

      const hostUser = asRoot ? 'root' : h.user.name;
      const x = await runCli(['top', 'tp', 'pid,hpid', 'huser', '%U', 'comm', 'state'], { storage });
      const rows = x.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
      expect(rows[0]).toEqual(['PID', 'HPID', 'HUSER', 'USER', 'COMMAND', 'STATE']);
      expect(rows[1]).toEqual(['1', String(hostPid), hostUser, 'root', 'sh', 'S']);

      const bad = await runCli(['top', 'tp', 'bogus'], { storage });
      expect(bad.code).toBe(125);
      expect(bad.stderr).toBe("Error: 'bogus': unknown descriptor\n");
      await runCli(['stop', '-t', '0', 'tp'], { storage });
      const stopped = await runCli(['top', 'tp'], { storage });
      expect(stopped.code).toBe(125);
      expect(stopped.stderr).toBe('Error: top can only be used on running containers\n');
      await runCli(['rm', 'tp'], { storage });
    }, 120_000);

    it('attach (no tty): stdin reaches the container and the exit code is the container\'s', async () => {
      const d = await runCli(['run', '-d', '-i', '--name', 'at', image, 'sh', '-c', 'read x; echo got $x; echo err >&2; exit 4'], { storage });
      expect(d.code).toBe(0);
      const a = await runCli(['attach', 'at'], { storage, input: 'hello\n' });
      expect(a.stdout).toBe('got hello\n');
      expect(a.stderr).toBe('err\n');
      expect(a.code).toBe(4);
      const again = await runCli(['attach', 'at'], { storage });
      expect(again.code).toBe(125);
      expect(again.stderr).toBe('Error: you can only attach to running containers: container state improper\n');
      expect((await runCli(['attach', 'nope'], { storage })).code).toBe(125);
      await runCli(['rm', 'at'], { storage });
    }, 60_000);

    it('--name uniqueness, --replace and --cidfile', async () => {
      const first = await runCli(['run', '-d', '--name', 'dup', image, 'sleep', '600'], { storage });
      const dup = await runCli(['create', '--name', 'dup', image, 'true'], { storage });
      expect(dup.code).toBe(125);
      expect(dup.stderr).toBe(
        `Error: the container name "dup" is already in use by ${first.stdout.trim()}. You have to remove that container to be able to reuse that name: that name is already in use\n`,
      );
      const bad = await runCli(['create', '--name', 'a b', image, 'true'], { storage });
      expect(bad.code).toBe(125);
      expect(bad.stderr).toBe('Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument\n');

      const rep = await runCli(['run', '-d', '--replace', '-t', '--name', 'dup', image, 'sleep', '600'], { storage, timeoutMs: 60_000 });
      expect(rep.stderr).toBe('');
      const ids = (await runCli(['ps', '-a', '-q', '--no-trunc', '--filter', 'name=dup'], { storage })).stdout.trim();
      expect(ids).toBe(rep.stdout.trim());
      expect(ids).not.toBe(first.stdout.trim());

      const cidfile = join(storage.dir, 'cid.txt');
      const c = await runCli(['create', '--cidfile', cidfile, image, 'true'], { storage });
      expect(c.code).toBe(0);
      expect(readFileSync(cidfile, 'utf8')).toBe(c.stdout.trim());
      const again = await runCli(['create', '--cidfile', cidfile, image, 'true'], { storage });
      expect(again.code).toBe(125);
      expect(again.stderr).toBe(`Error: container id file exists. Ensure another container is not using it or delete ${cidfile}\n`);
      expect((await runCli(['rm', '--cidfile', cidfile], { storage })).code).toBe(0);
      await runCli(['rm', '-f', '-t', '0', 'dup'], { storage });
    }, 120_000);

    it('--init: catatonit is PID 1, forwards signals and reaps zombies', async () => {
      const d = await runCli(['run', '-d', '--init', '--name', 'in', image, 'sh', '-c', '(sleep 0.3 &); exec sleep 600'], { storage });
      expect(d.code).toBe(0);
      await until('the orphan is gone', async () => !/^\s*sleep 0\.3\s*$/m.test((await runCli(['top', 'in', 'args'], { storage })).stdout));
      const t = await runCli(['top', 'in', 'pid', 'ppid', 'state', 'args'], { storage });
      const rows = t.stdout.trimEnd().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      expect(rows[0]!.slice(0, 2)).toEqual(['1', '0']);
      expect(rows[0]!.slice(3).join(' ')).toMatch(/^\/run\/podman-init -- sh -c /);
      // the command is catatonit's child, nothing else is left: the orphan was reaped (no zombie)
      expect(rows.slice(1)).toEqual([[expect.stringMatching(/^[2-9]\d*$/), '1', 'S', 'sleep', '600']]);
      // SIGTERM reaches `sleep` through catatonit: it dies of it (143), no SIGKILL (137) needed
      const stop = await runCli(['stop', 'in'], { storage });
      expect(stop.code).toBe(0);
      expect((await runCli(['wait', 'in'], { storage })).stdout.trim()).toBe('143');
      await runCli(['rm', 'in'], { storage });
    }, 120_000);

    it('after kill -9 of conmon: stop, wait and rm answer, none hangs', async () => {
      const d = await runCli(['run', '-d', '--name', 'orphan', image, 'sleep', '600'], { storage });
      const rec = recordOf(storage, d.stdout.trim());
      process.kill(rec.state.conmonPid!, 'SIGKILL');
      const w = await runCli(['wait', 'orphan'], { storage, timeoutMs: 20_000 });
      expect(w.code).toBe(0);
      expect((await runCli(['ps', '-a', '--filter', 'name=orphan', '--format', '{{.State}}'], { storage })).stdout.trim()).toBe('exited');
      expect((await runCli(['stop', 'orphan'], { storage, timeoutMs: 20_000 })).code).toBe(0);
      expect((await runCli(['rm', '-f', 'orphan'], { storage, timeoutMs: 20_000 })).code).toBe(0);
      expect((await runCli(['ps', '-a', '--filter', 'name=orphan'], { storage })).stdout).not.toContain('orphan');
    }, 60_000);
  });
}

suite('rootless');
suite('rootful');

describe.skipIf(!harness().user.created)('concurrency and crashes (rootless)', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = newStorage();
    const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
  }, 180_000);

  it('20 containers started by 20 concurrent processes all run and are all listed', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runCli(['run', '-d', '--name', `many${i}`, image, 'sleep', '600'], { storage, timeoutMs: 300_000 })),
    );
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toMatch(ID);
    }
    const ps = await runCli(['ps', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}'], { storage });
    const lines = ps.stdout.trim().split('\n').sort();
    expect(lines).toEqual(runs.map((r, i) => `${r.stdout.trim()} many${i} running`).sort());
    const rm = await runCli(['rm', '-f', '-t', '0', '--all'], { storage, timeoutMs: 300_000 });
    expect(rm.code).toBe(0);
    expect((await runCli(['ps', '-a', '-q'], { storage })).stdout).toBe('');
  }, 600_000);

  it('kill -9 of `run -d` right after it printed the id: the container runs and is managed', async () => {
    const out = await runAndKill(storage, ['run', '-d', '--name', 'k9', image, 'sleep', '600'], 'on-id');
    const id = /[0-9a-f]{64}/.exec(out)![0];
    expect((await runCli(['ps', '--no-trunc', '--format', '{{.ID}} {{.State}}'], { storage })).stdout.trim()).toBe(`${id} running`);
    const stop = await runCli(['stop', '-t', '0', 'k9'], { storage });
    expect(stop.code).toBe(0);
    expect((await runCli(['rm', 'k9'], { storage })).code).toBe(0);
  }, 120_000);

  it('kill -9 of `run -d` at any point leaves storage usable; what started can be stopped and removed', async () => {
    // spread the kills over the time a whole `run -d` takes here
    const t0 = Date.now();
    await runCli(['run', '-d', '--name', 'timing', image, 'true'], { storage });
    const full = Date.now() - t0;
    await runCli(['rm', '-f', 'timing'], { storage });
    for (const delay of [0.3, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95].map((f) => Math.round(f * full))) {
      await runAndKill(storage, ['run', '-d', '--name', `mid${delay}`, image, 'sleep', '600'], delay);
      const ps = await runCli(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}'], { storage });
      expect(ps.code).toBe(0);
      expect(ps.stderr).toBe('');
      for (const line of ps.stdout.trim().split('\n').filter(Boolean)) {
        const [id, name, state] = line.split(' ');
        expect(name).toBe(`mid${delay}`);
        if (state === 'running') expect((await runCli(['stop', '-t', '0', id!], { storage, timeoutMs: 30_000 })).code).toBe(0);
        const rm = await runCli(['rm', '-f', id!], { storage, timeoutMs: 30_000 });
        expect(rm.stderr).toBe('');
        expect(rm.code).toBe(0);
      }
      expect((await runCli(['ps', '-a', '-q'], { storage })).stdout).toBe('');
      expect(readdirSync(join(storage.root, 'containers')).filter((d) => !d.startsWith('.'))).toEqual([]);
      // the name is free again: nothing half-made holds it
      const again = await runCli(['run', '--rm', '--name', `mid${delay}`, image, 'true'], { storage });
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
    }
  }, 600_000);
});
