import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { harness, runAsUser, runCli } from '../harness/index.js';

describe('test harness', () => {
  const h = harness();

  it('runs as an unprivileged user with subordinate id ranges', async () => {
    const r = await runAsUser('id', ['-u']);
    expect(r.code).toBe(0);
    expect(Number(r.stdout.trim())).toBe(h.user.uid);
    if (h.user.created) {
      expect(h.user.uid).not.toBe(0);
      expect(readFileSync('/etc/subuid', 'utf8')).toMatch(new RegExp(`^${h.user.name}:\\d+:65536$`, 'm'));
      expect(readFileSync('/etc/subgid', 'utf8')).toMatch(new RegExp(`^${h.user.name}:\\d+:65536$`, 'm'));
    }
  });

  it('runs the CLI as that user', async () => {
    const r = await runCli(['version', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Client.Version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the fixture images from the loopback registry', async () => {
    const r = await runAsUser('skopeo', ['inspect', '--tls-verify=false', `docker://${h.registry}/library/alpine:latest`]);
    expect(r.stderr).toBe('');
    const info = JSON.parse(r.stdout);
    expect(info.Labels['org.tsc-ctr.fixture']).toBe('busybox');
    expect(info.Architecture).toBe('amd64');
  });

  it('lets the user create a user namespace mapped from /etc/subuid', async () => {
    const r = await runAsUser('unshare', ['--user', '--map-root-user', 'id', '-u']);
    expect(r.stdout.trim()).toBe('0');
    if (h.user.created) {
      const m = await runAsUser('unshare', ['--user', '--map-auto', '--map-root-user', 'cat', '/proc/self/uid_map']);
      expect(m.code).toBe(0);
      const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${h.user.name}:`))!;
      const start = line.split(':')[1];
      expect(m.stdout).toContain(start);
    }
  });
});
