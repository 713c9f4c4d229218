import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  entriesFor,
  parseSubIdFile,
  rangeArg,
  rangesFor,
  readSubIdRanges,
  subIdFilePath,
  suggestFreeRange,
  totalIds,
} from '../../../src/rootless/subid.js';
import { addRangeFix, judgeSubIds, type SubIdFacts } from '../../../src/system/checks/subids.js';

const FILE = `# subordinate ids
alice:100000:65536
1001:165536:65536   # bob by uid
bob:231072:1000
carol:300000:65536
bad line
dave:abc:10
erin:5:0
frank::10
`;

describe('parseSubIdFile', () => {
  const f = parseSubIdFile(FILE);
  it('reads name:start:count lines, ignoring comments and blank lines', () => {
    expect(f.entries.map((e) => [e.owner, e.start, e.count, e.line])).toEqual([
      ['alice', 100000, 65536, 2],
      ['1001', 165536, 65536, 3],
      ['bob', 231072, 1000, 4],
      ['carol', 300000, 65536, 5],
    ]);
  });
  it('reports malformed lines with their numbers and why', () => {
    expect(f.errors.map((e) => e.line)).toEqual([6, 7, 8, 9]);
    expect(f.errors[0]!.reason).toMatch(/owner:start:count/);
    expect(f.errors[1]!.reason).toMatch(/integers/);
    expect(f.errors[2]!.reason).toMatch(/count is 0/);
    expect(f.errors[3]!.reason).toMatch(/integers/);
  });
  it('refuses ranges past the 32-bit id space', () => {
    expect(parseSubIdFile('x:4294967000:65536\n').errors).toHaveLength(1);
  });
  it('handles CRLF and trailing spaces', () => {
    expect(parseSubIdFile('u:1:2\r\n').entries).toEqual([{ owner: 'u', start: 1, count: 2, line: 1 }]);
  });
});

describe('entriesFor / rangesFor', () => {
  const { entries } = parseSubIdFile(FILE);
  it('matches by user name and by numeric uid, in file order', () => {
    expect(entriesFor(entries, { name: 'bob', uid: 1001 }).map((e) => e.start)).toEqual([165536, 231072]);
    expect(rangesFor(entries, { name: 'bob', uid: 1001 })).toEqual([
      { start: 165536, count: 65536 },
      { start: 231072, count: 1000 },
    ]);
  });
  it('finds nothing for a user with no lines', () => {
    expect(entriesFor(entries, { name: 'zed', uid: 4242 })).toEqual([]);
  });
  it('drops a duplicate range listed under both name and uid', () => {
    const { entries: e2 } = parseSubIdFile('bob:100000:65536\n1001:100000:65536\n');
    expect(entriesFor(e2, { name: 'bob', uid: 1001 })).toHaveLength(1);
  });
  it('sums sizes', () => {
    expect(totalIds(rangesFor(entries, { name: 'bob', uid: 1001 }))).toBe(66536);
  });
});

describe('readSubIdRanges and the override', () => {
  const dir = mkdtempSync(join(tmpdir(), 'subid-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('reads the given file; a missing file means no ranges', () => {
    const p = join(dir, 'subuid');
    writeFileSync(p, FILE);
    expect(readSubIdRanges('uid', { name: 'alice', uid: 1000 }, p)).toEqual([{ start: 100000, count: 65536 }]);
    expect(readSubIdRanges('uid', { name: 'alice', uid: 1000 }, join(dir, 'nope'))).toEqual([]);
  });
  it('TSC_CTR_SUBUID_FILE / TSC_CTR_SUBGID_FILE override the /etc paths', () => {
    expect(subIdFilePath('uid', {})).toBe('/etc/subuid');
    expect(subIdFilePath('gid', {})).toBe('/etc/subgid');
    expect(subIdFilePath('uid', { TSC_CTR_SUBUID_FILE: '/x/u' })).toBe('/x/u');
    expect(subIdFilePath('gid', { TSC_CTR_SUBGID_FILE: '/x/g' })).toBe('/x/g');
  });
});

describe('suggestFreeRange', () => {
  it('starts at 100000 on an empty file', () => {
    expect(suggestFreeRange([])).toEqual({ start: 100000, count: 65536 });
  });
  it('skips every overlapping range, even unsorted', () => {
    const taken = [
      { start: 165536, count: 65536 },
      { start: 100000, count: 65536 },
    ];
    expect(suggestFreeRange(taken)).toEqual({ start: 231072, count: 65536 });
  });
  it('uses a hole that is big enough', () => {
    const taken = [
      { start: 100000, count: 65536 },
      { start: 400000, count: 65536 },
    ];
    expect(suggestFreeRange(taken)).toEqual({ start: 165536, count: 65536 });
  });
  it('skips a hole that is too small', () => {
    const taken = [
      { start: 100000, count: 65536 },
      { start: 200000, count: 65536 },
    ];
    expect(suggestFreeRange(taken)).toEqual({ start: 265536, count: 65536 });
  });
  it('honours count, min and ids to avoid', () => {
    expect(suggestFreeRange([], { count: 10, min: 0, avoid: [3] })).toEqual({ start: 4, count: 10 });
  });
  it('formats as FIRST-LAST', () => {
    expect(rangeArg({ start: 100000, count: 65536 })).toBe('100000-165535');
  });
});

function facts(kind: 'uid' | 'gid', text: string, who = { name: 'bob', uid: 1001 }, exists = true): SubIdFacts {
  const f = parseSubIdFile(text);
  return {
    kind,
    file: `/etc/sub${kind}`,
    exists,
    mine: entriesFor(f.entries, who),
    all: f.entries.map((e) => ({ start: e.start, count: e.count })),
    malformed: f.errors.map((e) => ({ line: e.line, reason: e.reason })),
  };
}

describe('judgeSubIds', () => {
  const bob = { userName: 'bob', uid: 1001, gid: 1001 };
  it('no range: a problem naming the user, uid and file, with a usermod fix on a free range for both kinds', () => {
    const text = 'alice:100000:65536\n';
    const r = judgeSubIds(bob, facts('uid', text), facts('gid', text));
    expect(r.Status).toBe('problem');
    expect(r.Detail).toBe('no range for user "bob" (uid 1001) in /etc/subuid');
    expect(r.Fix).toBe('sudo usermod --add-subuids 165536-231071 --add-subgids 165536-231071 bob');
  });
  it('missing file is said so', () => {
    const r = judgeSubIds(bob, facts('uid', '', undefined, false), facts('gid', ''));
    expect(r.Detail).toBe('no range for user "bob" (uid 1001): /etc/subuid does not exist');
    expect(r.Fix).toBe('sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 bob');
  });
  it('only the kind that lacks a range is in the fix, and the range is free in both files', () => {
    const r = judgeSubIds(bob, facts('uid', 'alice:100000:65536\n'), facts('gid', 'bob:165536:65536\n'));
    expect(r.Fix).toBe('sudo usermod --add-subuids 231072-296607 bob');
  });
  it('fewer than 65536 ids: a warning that adds the rest', () => {
    const r = judgeSubIds(bob, facts('uid', 'bob:100000:1000\n'), facts('gid', 'bob:100000:65536\n'));
    expect(r.Status).toBe('warning');
    expect(r.Detail).toMatch(/only 1000 ids/);
    expect(r.Detail).toMatch(/65534 \(nobody\)/);
    expect(r.Fix).toBe('sudo usermod --add-subuids 165536-230071 bob');
  });
  it('several ranges adding up to 65536 are fine', () => {
    const r = judgeSubIds(bob, facts('uid', 'bob:100000:32768\n1001:200000:32768\n'), facts('gid', 'bob:100000:65536\n'));
    expect(r.Status).toBe('ok');
    expect(r.Detail).toBe('100000:32768, 200000:32768 for user "bob" (uid 1001) in /etc/subuid (65536 ids)');
  });
  it('a range containing the user\'s own uid is a warning with a replacement', () => {
    const r = judgeSubIds(bob, facts('uid', 'bob:1000:65536\n'), facts('gid', 'bob:100000:65536\n'));
    expect(r.Status).toBe('warning');
    expect(r.Detail).toMatch(/contains your own uid 1001/);
    expect(r.Fix).toBe('sudo usermod --del-subuids 1000-66535 --add-subuids 165536-231071 bob');
  });
  it('mentions malformed lines when the user has no range', () => {
    const r = judgeSubIds(bob, facts('uid', 'bob:x:1\n'), facts('gid', ''));
    expect(r.Detail).toMatch(/1 malformed line\(s\) ignored: line 1/);
  });
  it('addRangeFix avoids the user\'s own ids', () => {
    expect(addRangeFix('u', ['uid'], [], [100000])).toBe('sudo usermod --add-subuids 100001-165536 u');
  });
});
