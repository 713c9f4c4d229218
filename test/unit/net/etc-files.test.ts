import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from '../../../src/net/etc-files.js';

describe('hostsFile', () => {
  it('keeps the host entries and adds the container', () => {
    expect(hostsFile({ hostHosts: '127.0.0.1\tlocalhost\n# c\n10.0.0.5 build\n', ip: '10.0.2.100', hostname: 'abc123def456', name: 'web', hostIp: '192.0.2.2' })).toBe(
      '127.0.0.1\tlocalhost\n10.0.0.5 build\n192.0.2.2\thost.containers.internal host.docker.internal\n10.0.2.100\tabc123def456 web\n',
    );
  });
  it('adds localhost when missing and --add-host first', () => {
    const h = hostsFile({ hostHosts: '', hostname: 'h', name: 'h', addHosts: [{ name: 'db', ip: '10.1.1.1' }] });
    expect(h).toBe('10.1.1.1\tdb\n127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\th\n');
  });
});

describe('resolvConf', () => {
  const host = 'search corp.example\nnameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver fe80::1\nnameserver 2001:db8::1\noptions edns0\n';
  it('drops loopback and link-local servers, helper first', () => {
    expect(resolvConf({ hostResolv: host, first: ['10.0.2.3'] })).toBe('search corp.example\nnameserver 10.0.2.3\nnameserver 10.255.255.53\noptions edns0\n');
    expect(resolvConf({ hostResolv: host, ipv6: true })).toContain('nameserver 2001:db8::1');
  });
  it('falls back to public resolvers when nothing is usable', () => {
    expect(resolvConf({ hostResolv: 'nameserver 127.0.0.1\n' })).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
  it('--dns, --dns-search, --dns-option replace the host values', () => {
    expect(resolvConf({ hostResolv: host, dns: ['1.1.1.1'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] })).toBe('search a.b\nnameserver 1.1.1.1\noptions ndots:2\n');
    expect(resolvConf({ hostResolv: host, dnsSearch: ['.'] })).not.toContain('search');
  });
});
