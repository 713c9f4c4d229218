import { describe, expect, it } from 'vitest';
import { exposedPortMappings, parseAddHost, parseNetworkFlag, parseNetworkRequest, parsePublish } from '../../../src/net/parse.js';
import { pastaArgs, slirpArgs } from '../../../src/net/helpers.js';
import { mergePublishAll, portLines } from '../../../src/net/ports.js';
import { pickFaster } from '../../../src/net/choose.js';

describe('parsePublish', () => {
  it.each([
    ['80', [{ hostIp: '', hostPort: 0, containerPort: 80, range: 1, protocol: 'tcp' }]],
    ['8080:80', [{ hostIp: '', hostPort: 8080, containerPort: 80, range: 1, protocol: 'tcp' }]],
    ['127.0.0.1:8080:80/udp', [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, range: 1, protocol: 'udp' }]],
    ['127.0.0.1::80', [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, range: 1, protocol: 'tcp' }]],
    ['[::1]:8080:80', [{ hostIp: '::1', hostPort: 8080, containerPort: 80, range: 1, protocol: 'tcp' }]],
    ['9000-9002:80-82/tcp,udp', [
      { hostIp: '', hostPort: 9000, containerPort: 80, range: 3, protocol: 'tcp' },
      { hostIp: '', hostPort: 9000, containerPort: 80, range: 3, protocol: 'udp' },
    ]],
  ])('%s', (spec, want) => expect(parsePublish(spec)).toEqual(want));

  it.each([
    ['70000:80', 'host port 70000 out of range 1-65535 in --publish 70000:80'],
    ['8080-8081:80', 'host and container port ranges differ in length in --publish 8080-8081:80'],
    ['80/sctp', 'unknown protocol "sctp" in --publish 80/sctp: use tcp or udp'],
    ['1.2.3:80:80', 'invalid IP address "1.2.3" in --publish 1.2.3:80:80'],
    ['x', 'invalid container port "x" in --publish x'],
    ['90-80', 'invalid container port range "90-80" in --publish 90-80: the end is below the start'],
  ])('%s is refused', (spec, msg) => expect(() => parsePublish(spec)).toThrow(msg));
});

describe('parseNetworkFlag', () => {
  it('modes', () => {
    expect(parseNetworkFlag(undefined).kind).toBe('default');
    expect(parseNetworkFlag('none').kind).toBe('none');
    expect(parseNetworkFlag('pasta:-T,8080').options).toEqual(['-T', '8080']);
    expect(parseNetworkFlag('slirp4netns:allow_host_loopback=true,mtu=1500')).toEqual({ kind: 'slirp4netns', options: ['allow_host_loopback=true', 'mtu=1500'] });
    expect(parseNetworkFlag('container:web')).toEqual({ kind: 'container', options: [], container: 'web' });
    expect(parseNetworkFlag('ns:/run/netns/x')).toEqual({ kind: 'ns', options: [], path: '/run/netns/x' });
    expect(parseNetworkFlag('mynet')).toEqual({ kind: 'bridge', options: [], network: 'mynet' });
  });
  it.each([
    ['slirp4netns:bogus=1', 'unknown option for slirp4netns: "bogus=1"'],
    ['slirp4netns:mtu=abc', 'slirp4netns option mtu must be a number between 68 and 65521, got "abc"'],
    ['slirp4netns:allow_host_loopback=yes', 'slirp4netns option allow_host_loopback must be true or false, got "yes"'],
    ['slirp4netns:cidr=10.0.0.0/30', 'slirp4netns option cidr must be an IPv4 network with a prefix of at most /25'],
    ['ns:relative', 'needs an absolute path'],
    ['weird:thing', '--network=weird:thing is not supported'],
    ['bad name!', '--network=bad name! is not supported'],
  ])('%s is refused', (v, msg) => expect(() => parseNetworkFlag(v)).toThrow(msg));
  it('ports need a network with a helper', () => {
    expect(() => parseNetworkRequest({ network: 'none', publish: ['80'] })).toThrow('cannot publish ports with --network none');
  });
});

describe('helpers argv', () => {
  it('pasta: ports, no outbound forwarding, DNS forwarder, large MTU', () => {
    const a = pastaArgs({ options: [], ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, range: 2, protocol: 'tcp' }], netns: '/ns', pidFile: '/p' });
    expect(a).toEqual(['--config-net', '-t', '127.0.0.1/8080-8081:80-81', '-u', 'none', '-T', 'none', '-U', 'none', '--dns-forward', '169.254.1.1', '--mtu', '65520', '--quiet', '--netns', '/ns', '--pid', '/p']);
    expect(pastaArgs({ options: ['--mtu', '1500'], ports: [], netns: '/ns', pidFile: '/p' })).not.toContain('65520');
  });
  it('slirp4netns: options become flags', () => {
    expect(slirpArgs({ options: ['allow_host_loopback=true', 'cidr=10.5.0.0/24', 'mtu=1500'], netns: '/ns', apiSocket: '/s' })).toEqual([
      '--mtu=1500', '--enable-sandbox', '--enable-seccomp', '-c', '-r', '3', '--cidr=10.5.0.0/24', '--api-socket', '/s', '--netns-type=path', '/ns', 'tap0',
    ]);
    expect(slirpArgs({ options: [], netns: '/ns' })[0]).toBe('--disable-host-loopback');
  });
});

describe('ports', () => {
  it('-P adds the exposed ports not already published', () => {
    const exposed = exposedPortMappings({ '80/tcp': {}, '53/udp': {}, 'junk': {} });
    expect(exposed.map((p) => `${p.containerPort}/${p.protocol}`)).toEqual(['80/tcp', '53/udp']);
    const merged = mergePublishAll([{ hostIp: '', hostPort: 8080, containerPort: 79, range: 2, protocol: 'tcp' }], exposed);
    expect(merged.map((p) => `${p.containerPort}/${p.protocol}`)).toEqual(['79/tcp', '53/udp']);
  });
  it('port lines', () => {
    const ports = [{ hostIp: '', hostPort: 9000, containerPort: 80, range: 2, protocol: 'tcp' as const }];
    expect(portLines(ports)).toEqual(['80/tcp -> 0.0.0.0:9000', '81/tcp -> 0.0.0.0:9001']);
    expect(portLines(ports, { port: 81, protocol: 'tcp' })).toEqual(['0.0.0.0:9001']);
    expect(portLines([{ ...ports[0]!, hostIp: '::1', range: 1 }])).toEqual(['80/tcp -> [::1]:9000']);
  });
  it('add-host', () => {
    expect(parseAddHost('a;b:10.0.0.1')).toEqual({ name: 'a b', ip: '10.0.0.1' });
    expect(parseAddHost('gw:host-gateway').ip).toBe('host-gateway');
    expect(() => parseAddHost('x:nope')).toThrow('invalid IP address "nope" in --add-host x:nope');
  });
  it('the faster measured helper wins; by name only when nothing could be measured', () => {
    expect(pickFaster({ pasta: 0.2, slirp4netns: 5 }, ['pasta', 'slirp4netns'])).toBe('slirp4netns');
    expect(pickFaster({ pasta: 9, slirp4netns: 5 }, ['pasta', 'slirp4netns'])).toBe('pasta');
    expect(pickFaster({ slirp4netns: 5 }, ['pasta', 'slirp4netns'])).toBe('slirp4netns');
    expect(pickFaster({}, ['pasta', 'slirp4netns'])).toBe('pasta');
  });
});

describe('inspect and ps shapes', async () => {
  const { networkSettings, psPorts, psPortsText } = await import('../../../src/net/inspect.js');
  const state = { kind: 'pasta' as const, joinPath: '/run/x/netns/netns-1', ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, range: 2, protocol: 'tcp' as const }] };
  it('NetworkSettings.Ports per container port; SandboxKey is the namespace file', () => {
    const s = networkSettings(state);
    expect(s.Ports).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '81/tcp': [{ HostIp: '127.0.0.1', HostPort: '8081' }] });
    expect(s.SandboxKey).toBe('/run/x/netns/netns-1');
    expect(s.IPAddress).toBe('');
    expect(networkSettings({ kind: 'bridge', ports: [], ip: '10.89.0.2', gateway: '10.89.0.1' }).IPAddress).toBe('10.89.0.2');
  });
  it('ps Ports', () => {
    expect(psPorts(undefined)).toBeNull();
    expect(psPorts(state)).toEqual([{ host_ip: '127.0.0.1', container_port: 80, host_port: 8080, range: 2, protocol: 'tcp' }]);
    expect(psPortsText(state)).toBe('127.0.0.1:8080-8081->80-81/tcp');
  });
});
