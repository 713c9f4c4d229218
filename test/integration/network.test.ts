import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { harness, newStorage, runCli, type Storage } from '../harness/index.js';

const image = 'alpine';
let storage: Storage;
let server: Server;
let hostPort = 0;

function listen(s: { listen: (...a: any[]) => unknown; address: () => unknown }, host: string): Promise<number> {
  return new Promise((resolve) => s.listen(0, host, () => resolve((s.address() as { port: number }).port)));
}

/** A port that is free now (the kernel's pick, released). */
async function freePort(): Promise<number> {
  const s = createTcpServer();
  const p = await listen(s, '127.0.0.1');
  await new Promise((r) => s.close(r));
  return p;
}

/** Processes whose command line mentions this store's run root: helpers, conmon, containers. */
function helpersOf(s: Storage): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if ((cmd[0]?.endsWith('pasta') || cmd[0]?.endsWith('slirp4netns')) && cmd.join(' ').includes(s.runroot)) out.push(`${pid} ${cmd.join(' ')}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await fn();
  }
  return v;
}

async function httpGet(url: string): Promise<string> {
  const r = await fetch(url);
  return r.text();
}

beforeAll(async () => {
  storage = newStorage();
  const r = await runCli(['pull', '-q', image], { storage, timeoutMs: 120_000 });
  expect(r.code).toBe(0);
  server = createServer((req, res) => res.end(`hello from the host ${req.url}\n`));
  hostPort = await listen(server, '0.0.0.0');
}, 180_000);

afterAll(() => {
  server?.close();
});

describe.each(['pasta', 'slirp4netns'])('--network %s', (helper) => {
  it('a container fetches a page from the host via host.containers.internal', async () => {
    const r = await runCli(['run', '--rm', '--network', helper, image, 'wget', '-q', '-O-', `http://host.containers.internal:${hostPort}/x`], { storage, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from the host /x\n');
    expect(r.code).toBe(0);
    expect(helpersOf(storage)).toEqual([]);
  });

  it('-p 127.0.0.1:PORT:80 serves a file from busybox httpd to the host; port shows it', async () => {
    const port = await freePort();
    const name = `web-${helper}`;
    const d = await runCli(
      ['run', '-d', '--name', name, '--network', helper, '-p', `127.0.0.1:${port}:80`, image, 'sh', '-c', 'mkdir /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www'],
      { storage, timeoutMs: 60_000 },
    );
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    const body = await eventually(() => httpGet(`http://127.0.0.1:${port}/index.html`).catch((e) => String(e)), (b) => b === 'served\n');
    expect(body).toBe('served\n');
    const p = await runCli(['port', name], { storage });
    expect(p.stdout).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    const one = await runCli(['port', name, '80/tcp'], { storage });
    expect(one.stdout).toBe(`127.0.0.1:${port}\n`);
    const missing = await runCli(['port', name, '81'], { storage });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/^Error: .*81\/tcp/);
    const ps = await runCli(['ps', '--filter', `name=${name}`, '--format', '{{.Ports}}'], { storage });
    expect(ps.stdout).toBe(`127.0.0.1:${port}->80/tcp\n`);
    const psJson = JSON.parse((await runCli(['ps', '--filter', `name=${name}`, '--format', 'json'], { storage })).stdout);
    expect(psJson[0].Ports).toEqual([{ host_ip: '127.0.0.1', container_port: 80, host_port: port, range: 1, protocol: 'tcp' }]);
    const ins = await runCli(['inspect', '--format', '{{json .NetworkSettings.Ports}} {{.HostConfig.NetworkMode}}', name], { storage });
    expect(ins.stdout).toBe(`{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"${port}"}]} ${helper}\n`);
    expect(helpersOf(storage).length).toBe(1);
    const rm = await runCli(['rm', '-f', '-t', '0', name], { storage, timeoutMs: 60_000 });
    expect(rm.code).toBe(0);
    expect(helpersOf(storage)).toEqual([]);
  });
});

describe('ports and helpers', () => {
  it('a host port already in use is an error before the container starts', async () => {
    const busy = createTcpServer();
    const port = await listen(busy, '127.0.0.1');
    try {
      const r = await runCli(['run', '-d', '--name', 'busy', '-p', `127.0.0.1:${port}:80`, image, 'sleep', '100'], { storage, timeoutMs: 60_000 });
      expect(r.code).toBe(125);
      expect(r.stderr).toBe(`Error: cannot publish port 80/tcp: host port 127.0.0.1:${port}: address already in use\n`);
      const ps = await runCli(['ps', '-q'], { storage });
      expect(ps.stdout).toBe('');
      expect(helpersOf(storage)).toEqual([]);
      // with --rm the container that could not start is removed as well
      const rr = await runCli(['run', '--rm', '--name', 'busy-rm', '-p', `127.0.0.1:${port}:80`, image, 'true'], { storage, timeoutMs: 60_000 });
      expect(rr.code).toBe(125);
      expect((await runCli(['ps', '-a', '--filter', 'name=busy-rm', '-q'], { storage })).stdout).toBe('');
    } finally {
      busy.close();
      await runCli(['rm', '-f', 'busy'], { storage });
    }
  });

  it('-P publishes nothing for an image without ExposedPorts, ranges are published whole', async () => {
    const base = await freePort();
    const d = await runCli(['run', '-d', '--name', 'ranges', '--network', 'pasta', '-p', `127.0.0.1:${base}-${base + 1}:80-81/udp`, '-P', image, 'sleep', '100'], { storage, timeoutMs: 60_000 });
    expect(d.stderr).toBe('');
    const p = await runCli(['port', 'ranges'], { storage });
    expect(p.stdout).toBe(`80/udp -> 127.0.0.1:${base}\n81/udp -> 127.0.0.1:${base + 1}\n`);
    const all = await runCli(['port', '-a'], { storage });
    expect(all.stdout).toMatch(new RegExp(`^[0-9a-f]{12}\\t80/udp -> 127\\.0\\.0\\.1:${base}\\n`));
    await runCli(['rm', '-f', '-t', '0', 'ranges'], { storage, timeoutMs: 60_000 });
  });

  it('bad -p is a usage error at create', async () => {
    const r = await runCli(['create', '-p', '70000:80', image], { storage });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: host port 70000 out of range 1-65535 in --publish 70000:80\n');
  });

  it('--network none has only lo', async () => {
    const r = await runCli(['run', '--rm', '--network', 'none', image, 'ls', '/sys/class/net'], { storage, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('lo\n');
  });

  it('no helper is left after kill, and after --rm', async () => {
    const d = await runCli(['run', '-d', '--name', 'victim', '--network', 'slirp4netns', image, 'sleep', '100'], { storage, timeoutMs: 60_000 });
    expect(d.code).toBe(0);
    expect(helpersOf(storage).length).toBe(1);
    await runCli(['kill', 'victim'], { storage });
    expect(await eventually(() => helpersOf(storage), (l) => l.length === 0)).toEqual([]);
    await runCli(['rm', 'victim'], { storage });
    const r = await runCli(['run', '--rm', '--network', 'pasta', image, 'true'], { storage, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(helpersOf(storage)).toEqual([]);
    const left = readdirSync(`${storage.runroot}/netns`).filter((f) => f.startsWith('netns-'));
    expect(left).toEqual([]);
  });

  it('the default network works and info names the measured helper', async () => {
    const r = await runCli(['run', '--rm', image, 'wget', '-q', '-O-', `http://host.containers.internal:${hostPort}/d`], { storage, timeoutMs: 120_000 });
    expect(r.stdout).toBe('hello from the host /d\n');
    const info = await runCli(['info', '--format', '{{.Host.RootlessNetworkCmd}}'], { storage });
    // the choice is recorded per user with the measured throughput of each helper
    const rec = JSON.parse(readFileSync(join(harness().user.home, '.cache/tsc-ctr/network-helper.json'), 'utf8'));
    expect(Object.keys(rec.gbits).sort()).toEqual(['pasta', 'slirp4netns']);
    expect([65520, 16384, 4000]).toContain(rec.pastaMtu);
    const faster = rec.gbits.pasta > rec.gbits.slirp4netns ? 'pasta' : 'slirp4netns';
    expect(rec.name).toBe(faster);
    expect(info.stdout.trim()).toBe(faster);
  });
});

describe('DNS and hosts', () => {
  it('resolv.conf points at the helper, --dns/--dns-search/--dns-option replace the host values', async () => {
    const slirp = await runCli(['run', '--rm', '--network', 'slirp4netns', image, 'cat', '/etc/resolv.conf'], { storage, timeoutMs: 60_000 });
    expect(slirp.stdout.split('\n')[0]).toBe('nameserver 10.0.2.3');
    const pasta = await runCli(['run', '--rm', '--network', 'pasta', image, 'cat', '/etc/resolv.conf'], { storage, timeoutMs: 60_000 });
    expect(pasta.stdout.split('\n')[0]).toBe('nameserver 169.254.1.1');
    const own = await runCli(['run', '--rm', '--network', 'pasta', '--dns', '192.0.2.53', '--dns-search', 'example.com', '--dns-option', 'ndots:2', image, 'cat', '/etc/resolv.conf'], { storage, timeoutMs: 60_000 });
    expect(own.stdout).toBe('search example.com\nnameserver 192.0.2.53\noptions ndots:2\n');
  });

  it('/etc/hosts has the name, --add-host and host.containers.internal; --hostname', async () => {
    const r = await runCli(
      ['run', '--rm', '--name', 'named', '--hostname', 'box1', '--network', 'slirp4netns', '--add-host', 'db.local:192.0.2.77', image, 'sh', '-c', 'cat /etc/hosts; hostname'],
      { storage, timeoutMs: 60_000 },
    );
    expect(r.stdout).toContain('192.0.2.77\tdb.local\n');
    expect(r.stdout).toMatch(/\n10\.0\.2\.100\tbox1 named\n/);
    expect(r.stdout).toMatch(/\n\S+\thost\.containers\.internal/);
    expect(r.stdout.trim().split('\n').pop()).toBe('box1');
  });
});

describe.skipIf(!harness().root)('rootful', () => {
  let rootful: Storage;
  beforeAll(async () => {
    rootful = newStorage({ asRoot: true });
    const r = await runCli(['pull', '-q', image], { storage: rootful, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
  }, 180_000);

  it.each(['pasta', 'slirp4netns'])('--network %s reaches the host and publishes a port', async (helper) => {
    const r = await runCli(['run', '--rm', '--network', helper, image, 'wget', '-q', '-O-', `http://host.containers.internal:${hostPort}/root`], { storage: rootful, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from the host /root\n');
    const port = await freePort();
    const d = await runCli(['run', '-d', '--name', `rweb-${helper}`, '--network', helper, '-p', `127.0.0.1:${port}:80`, image, 'sh', '-c', 'mkdir /www && echo rootful > /www/index.html && exec httpd -f -p 80 -h /www'], { storage: rootful, timeoutMs: 60_000 });
    expect(d.stderr).toBe('');
    const body = await eventually(() => httpGet(`http://127.0.0.1:${port}/index.html`).catch((e) => String(e)), (b) => b === 'rootful\n');
    expect(body).toBe('rootful\n');
    await runCli(['rm', '-f', '-t', '0', `rweb-${helper}`], { storage: rootful, timeoutMs: 60_000 });
    expect(helpersOf(rootful)).toEqual([]);
    // the namespace file is unmounted and gone (a live helper would have kept it busy)
    expect(readdirSync(`${rootful.runroot}/netns`).filter((f) => f.startsWith('netns-'))).toEqual([]);
  });

  it('the default network for root is measured too (both helpers)', async () => {
    const r = await runCli(['run', '--rm', image, 'wget', '-q', '-O-', `http://host.containers.internal:${hostPort}/rd`], { storage: rootful, timeoutMs: 120_000 });
    expect(r.stdout).toBe('hello from the host /rd\n');
    const rec = JSON.parse(readFileSync('/var/cache/tsc-ctr/network-helper.json', 'utf8'));
    expect(Object.keys(rec.gbits).sort()).toEqual(['pasta', 'slirp4netns']);
  });

  it('a user-defined network works for root too', async () => {
    expect((await runCli(['network', 'create', 'rootnet'], { storage: rootful })).code).toBe(0);
    const a = await runCli(['run', '-d', '--name', 'ra', '--network', 'rootnet', image, 'sh', '-c', 'mkdir /www && echo ra > /www/i && exec httpd -f -p 80 -h /www'], { storage: rootful, timeoutMs: 60_000 });
    expect(a.stderr).toBe('');
    const got = await eventually(() => runCli(['run', '--rm', '--network', 'rootnet', image, 'wget', '-q', '-O-', 'http://ra/i'], { storage: rootful, timeoutMs: 60_000 }), (r) => r.code === 0);
    expect(got.stdout).toBe('ra\n');
    expect((await runCli(['network', 'rm', '-f', '-t', '0', 'rootnet'], { storage: rootful, timeoutMs: 60_000 })).stdout).toBe('rootnet\n');
    expect(helpersOf(rootful)).toEqual([]);
  });
});

describe('sharing and failures', () => {
  it('--network container:NAME shares the other container\'s namespace and files', async () => {
    const port = await freePort();
    const d = await runCli(['run', '-d', '--name', 'owner', '--network', 'slirp4netns', '--add-host', 'shared.local:192.0.2.9', image, 'sh', '-c', `mkdir /www && echo from-owner > /www/i && exec httpd -f -p ${port} -h /www`], { storage, timeoutMs: 60_000 });
    expect(d.code).toBe(0);
    const r = await eventually(
      () => runCli(['run', '--rm', '--network', 'container:owner', image, 'sh', '-c', `wget -q -O- http://127.0.0.1:${port}/i; grep shared.local /etc/hosts`], { storage, timeoutMs: 60_000 }),
      (x) => x.code === 0,
    );
    expect(r.stdout).toBe('from-owner\n192.0.2.9\tshared.local\n');
    const stopped = await runCli(['run', '--rm', '--network', 'container:nosuch', image, 'true'], { storage });
    expect(stopped.code).toBe(125);
    expect(stopped.stderr).toBe('Error: no container with name or ID "nosuch" found\n');
    await runCli(['rm', '-f', '-t', '0', 'owner'], { storage, timeoutMs: 60_000 });
    expect(helpersOf(storage)).toEqual([]);
  });

  it('--network ns:PATH joins a namespace file; --network host sees the host interfaces', async () => {
    const d = await runCli(['run', '-d', '--network', 'slirp4netns', image, 'sleep', '100'], { storage, timeoutMs: 60_000 });
    const id = d.stdout.trim();
    const r = await runCli(['run', '--rm', '--network', `ns:${storage.runroot}/netns/netns-${id}`, image, 'ip', '-o', '-4', 'addr', 'show', 'tap0'], { storage, timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('inet 10.0.2.100/24');
    await runCli(['rm', '-f', '-t', '0', id], { storage, timeoutMs: 60_000 });
    const gone = await runCli(['run', '--rm', '--network', 'ns:/nonexistent/netns', image, 'true'], { storage });
    expect(gone.code).toBe(125);
    expect(gone.stderr).toBe('Error: network namespace /nonexistent/netns does not exist\n');
    const host = await runCli(['run', '--rm', '--network', 'host', image, 'ls', '/sys/class/net'], { storage, timeoutMs: 60_000 });
    expect(host.stdout.split('\n').sort()).toEqual(['', ...readdirSync('/sys/class/net')].sort());
  });

  it('a helper that fails is reported with its own message, and nothing is left', async () => {
    const r = await runCli(['run', '--rm', '--network', 'pasta:--no-such-flag', image, 'true'], { storage, timeoutMs: 60_000 });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: pasta failed: .*no-such-flag/);
    expect(readdirSync(`${storage.runroot}/netns`).filter((f) => f.startsWith('netns-'))).toEqual([]);
    expect(helpersOf(storage)).toEqual([]);
  });
});

describe('user-defined networks', () => {
  it('network create/ls/inspect/rm; containers on one network reach each other by name', async () => {
    const c = await runCli(['network', 'create', 'appnet'], { storage });
    expect(c.stderr).toBe('');
    expect(c.stdout).toBe('appnet\n');
    const dup = await runCli(['network', 'create', 'appnet'], { storage });
    expect(dup.code).toBe(125);
    expect(dup.stderr).toBe('Error: network name appnet already used: network already exists\n');
    const ls = await runCli(['network', 'ls'], { storage });
    expect(ls.stdout).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\n[0-9a-f]{12}\s+appnet\s+bridge\n$/);
    const ins = JSON.parse((await runCli(['network', 'inspect', 'appnet'], { storage })).stdout);
    expect(ins[0]).toMatchObject({ name: 'appnet', driver: 'bridge', subnets: [{ subnet: '10.89.0.0/24', gateway: '10.89.0.1' }], internal: false, dns_enabled: true });

    const missing = await runCli(['create', '--network', 'nonet', image, 'true'], { storage });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe('Error: unable to find network with name or ID nonet: network not found\n');

    const a = await runCli(['run', '-d', '--name', 'alpha', '--network', 'appnet', image, 'sh', '-c', 'mkdir /www && echo i-am-alpha > /www/index.html && ln -s /etc/hosts /www/hosts && exec httpd -f -p 80 -h /www'], { storage, timeoutMs: 60_000 });
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await runCli(['run', '-d', '--name', 'beta', '--network', 'appnet', image, 'sleep', '100'], { storage, timeoutMs: 60_000 });
    expect(b.code).toBe(0);
    // beta reaches alpha by name
    const got = await eventually(
      () => runCli(['run', '--rm', '--network', 'container:beta', image, 'wget', '-q', '-O-', 'http://alpha/index.html'], { storage, timeoutMs: 60_000 }),
      (r) => r.code === 0,
    );
    expect(got.stdout).toBe('i-am-alpha\n');
    // alpha learnt beta's name when beta started (its /etc/hosts is rewritten in place)
    // (read through alpha's own mount: httpd serves its /etc/hosts)
    const hosts = await runCli(['run', '--rm', '--network', 'container:beta', image, 'wget', '-q', '-O-', 'http://alpha/hosts'], { storage, timeoutMs: 60_000 });
    expect(hosts.stdout).toMatch(/\n10\.89\.0\.3\tbeta [0-9a-f]{12}\n/);
    // and the outside (the host) is reachable through the shared namespace's slirp4netns
    const out = await runCli(['run', '--rm', '--network', 'appnet', image, 'wget', '-q', '-O-', `http://host.containers.internal:${hostPort}/n`], { storage, timeoutMs: 60_000 });
    expect(out.stdout).toBe('hello from the host /n\n');

    const busy = await runCli(['network', 'rm', 'appnet'], { storage });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toBe('Error: "appnet" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used\n');
    const rm = await runCli(['network', 'rm', '-f', '-t', '0', 'appnet'], { storage, timeoutMs: 60_000 });
    expect(rm.stdout).toBe('appnet\n');
    const names = (await runCli(['ps', '-a', '--format', '{{.Names}}'], { storage })).stdout.split('\n');
    expect(names.filter((n) => n === 'alpha' || n === 'beta')).toEqual([]);
    expect(helpersOf(storage)).toEqual([]);
    expect((await runCli(['network', 'ls', '-q'], { storage })).stdout).toBe('');
  });
});
