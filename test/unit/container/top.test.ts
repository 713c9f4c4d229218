import { describe, expect, it } from 'vitest';
import { type TopEnv, type TopProcess, capabilityNames, goDuration, parseDescriptors, topTable } from '../../../src/container/top.js';

describe('goDuration (Go time.Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [999n, '999ns'],
    [1_500n, '1.5µs'],
    [2_000_000n, '2ms'],
    [1_000_000_000n, '1s'],
    [8_209_155_297n, '8.209155297s'],
    [60_000_000_000n, '1m0s'],
    [3_661_500_000_000n, '1h1m1.5s'],
    [-2_000_000_000n, '-2s'],
  ])('%s ns → %s', (ns, s) => expect(goDuration(ns)).toBe(s));
});

describe('capabilityNames (psgo)', () => {
  it('full, none, and sorted names', () => {
    expect(capabilityNames('000001ffffffffff')).toBe('full');
    expect(capabilityNames('0000000000000000')).toBe('none');
    expect(capabilityNames('0000000000000401')).toBe('CHOWN,NET_BIND_SERVICE');
  });
});

describe('parseDescriptors', () => {
  it('defaults to Podman\'s columns', () => {
    expect(parseDescriptors([]).map((d) => d.header)).toEqual(['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']);
  });
  it('accepts normal and AIX code forms, separate or comma-separated', () => {
    expect(parseDescriptors(['pid,%U', 'hpid', ' args ']).map((d) => d.normal)).toEqual(['pid', 'user', 'hpid', 'args']);
  });
  it('names an unknown descriptor as psgo does', () => {
    expect(() => parseDescriptors(['pid', 'nope'])).toThrow("'nope': unknown descriptor");
  });
});

describe('topTable', () => {
  const env: TopEnv = {
    nowMs: 1_000_010_000,
    bootTimeSec: 1_000_000,
    clockTicks: 100,
    userName: (u) => (u === 0 ? 'root' : String(u)),
    groupName: (g) => (g === 0 ? 'root' : String(g)),
    hostUserName: (u) => (u === 1000 ? 'alice' : String(u)),
    hostGroupName: (g) => String(g),
    ttyName: () => undefined,
  };
  const p: TopProcess = {
    hostPid: 4242, pid: 1, ppid: 0, pgid: 1, comm: 'sleep', args: ['sleep', '600'], name: 'sleep', state: 'S', nice: '0', ttyNr: 0,
    startTicks: 500, cpuTicks: 250, vsizeBytes: 2048 * 1024, rssKb: '512', uids: [0, 0], gids: [0, 0], groups: [], hostUid: 1000, hostGid: 1000, hostGroups: [],
    caps: { amb: '0', inh: '0', prm: '0', eff: '0', bnd: '0' }, seccomp: '2', label: '?',
  };
  it('computes each column from the process', () => {
    const rows = topTable([p], parseDescriptors(['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args', 'huser', 'hpid', 'vsz', 'seccomp', 'capeff']), env);
    // started 5 s after boot, now 1000010 - 1000000 = 10 s after boot: 5 s elapsed, 2 s of CPU
    expect(rows[1]).toEqual(['root', '1', '0', '40.000', '5s', '?', '2s', 'sleep 600', 'alice', '4242', '2048', 'filter', 'none']);
  });
  it('shows [name] for a process without a command line (a zombie)', () => {
    expect(topTable([{ ...p, args: [], state: 'Z' }], parseDescriptors(['args', 'state']), env)[1]).toEqual(['[sleep]', 'Z']);
  });
});
