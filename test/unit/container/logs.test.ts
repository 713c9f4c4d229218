import { describe, expect, it } from 'vitest';
import { filterLines, parseK8sLog, parseTimeFilter } from '../../../src/container/logs.js';

const log = [
  '2026-11-22T11:18:09.238443551+00:00 stdout F out',
  '2026-11-22T11:18:09.300000000+00:00 stderr F err line',
  '2026-11-22T11:18:09.541679499+00:00 stdout P part',
  '2026-11-22T11:18:10.000000000+00:00 stdout F ial',
  '2026-11-22T11:18:11.000000000+00:00 stdout F ',
  '2026-11-22T11:18:12.000000000+00:00 stdout F with  two  spaces',
  '2026-11-22T11:18:13.000000000+00:00 stdout P trailing',
  '',
].join('\n');

describe('parseK8sLog', () => {
  it('joins partial lines and keeps streams apart', () => {
    expect(parseK8sLog(log)).toEqual([
      { time: '2026-11-22T11:18:09.238443551+00:00', stream: 'stdout', text: 'out\n' },
      { time: '2026-11-22T11:18:09.300000000+00:00', stream: 'stderr', text: 'err line\n' },
      { time: '2026-11-22T11:18:09.541679499+00:00', stream: 'stdout', text: 'partial\n' },
      { time: '2026-11-22T11:18:11.000000000+00:00', stream: 'stdout', text: '\n' },
      { time: '2026-11-22T11:18:12.000000000+00:00', stream: 'stdout', text: 'with  two  spaces\n' },
      { time: '2026-11-22T11:18:13.000000000+00:00', stream: 'stdout', text: 'trailing' },
    ]);
  });
});

describe('filters', () => {
  const lines = parseK8sLog(log);
  it('--tail', () => {
    expect(filterLines(lines, { tail: 2 }).map((l) => l.text)).toEqual(['with  two  spaces\n', 'trailing']);
    expect(filterLines(lines, { tail: 0 })).toEqual([]);
  });
  it('--since and --until', () => {
    const since = parseTimeFilter('2026-11-22T11:18:10Z');
    const until = parseTimeFilter('2026-11-22T11:18:12Z');
    expect(filterLines(lines, { since, until }).map((l) => l.text)).toEqual(['\n', 'with  two  spaces\n']);
  });
  it('durations and unix seconds', () => {
    expect(parseTimeFilter('10m', 1_000_000)).toBe(400_000);
    expect(parseTimeFilter('1h30m', 10_000_000)).toBe(10_000_000 - 5_400_000);
    expect(parseTimeFilter('1700000000')).toBe(1_700_000_000_000);
    expect(() => parseTimeFilter('yesterday')).toThrow(/invalid time/);
  });
});
