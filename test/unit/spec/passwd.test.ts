import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseGroup,
  parsePasswd,
  readContainerUserFiles,
  readFileInRoot,
  resolveAdditionalGroups,
  resolveInRoot,
  resolveUser,
} from '../../../src/runtime/passwd.js';
import { GROUP, PASSWD } from './fixtures.js';

describe('parsePasswd / parseGroup', () => {
  it('reads entries, skipping blanks, comments and lines with bad ids', () => {
    const p = parsePasswd('# c\n\nroot:x:0:0:root:/root:/bin/sh\r\nbad:x:abc:0::/:/bin/sh\nshort:x:5:6\n');
    expect(p).toEqual([
      { name: 'root', password: 'x', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/sh' },
      { name: 'short', password: 'x', uid: 5, gid: 6, gecos: '', home: '', shell: '' },
    ]);
    expect(parseGroup('wheel:x:10:root, alice\nempty:x:11:\n#x:x:1:\nbad:x::\n')).toEqual([
      { name: 'wheel', password: 'x', gid: 10, members: ['root', 'alice'] },
      { name: 'empty', password: 'x', gid: 11, members: [] },
    ]);
  });
});

describe('resolveUser (runc GetExecUser rules)', () => {
  const files = { passwd: PASSWD, group: GROUP };
  it.each([
    ['', { uid: 0, gid: 0, sgids: [0, 1, 10], home: '/root', name: 'root' }],
    ['root', { uid: 0, gid: 0, sgids: [0, 1, 10], home: '/root' }],
    ['0', { uid: 0, gid: 0, home: '/root' }],
    ['alice', { uid: 1000, gid: 1000, sgids: [10, 2000, 70000], home: '/home/alice' }],
    ['1000', { uid: 1000, gid: 1000, home: '/home/alice', name: 'alice' }],
    ['alice:users', { uid: 1000, gid: 100, sgids: [] }],
    ['alice:100', { uid: 1000, gid: 100, sgids: [] }],
    ['alice:777', { uid: 1000, gid: 777 }],
    ['5000', { uid: 5000, gid: 0, sgids: [], home: '' }],
    ['5000:6000', { uid: 5000, gid: 6000 }],
    [':dev', { uid: 0, gid: 2000, home: '/root' }],
  ])('%j', (spec, want) => expect(resolveUser(spec, files)).toMatchObject(want));
  it('without passwd/group files: numeric ids work, names do not', () => {
    expect(resolveUser('', {})).toEqual({ uid: 0, gid: 0, sgids: [], home: '' });
    expect(resolveUser('12:34', {})).toEqual({ uid: 12, gid: 34, sgids: [], home: '' });
    expect(() => resolveUser('nobody', {})).toThrow('unable to find user nobody: no matching entries in passwd file');
    expect(() => resolveUser('0:wheel', {})).toThrow('unable to find group wheel: no matching entries in group file');
  });
  it.each([
    ['-1', 'uids and gids must be in range 0-2147483647'],
    ['0:2147483648', 'uids and gids must be in range'],
    ['ghost', 'unable to find user ghost'],
  ])('%j → %s', (spec, msg) => expect(() => resolveUser(spec, files)).toThrow(msg));
  it('errors carry a code', () => {
    try {
      resolveUser('ghost', files);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('TSC_ERR_NO_SUCH_USER');
    }
  });
});

describe('resolveAdditionalGroups', () => {
  it('names and ids, first match wins, no repeats', () => {
    expect(resolveAdditionalGroups(['dev', '10', 'wheel', '31337', 'users'], GROUP)).toEqual([2000, 10, 31337, 100]);
    expect(resolveAdditionalGroups(['7'], undefined)).toEqual([7]);
    expect(() => resolveAdditionalGroups(['nogroup'], GROUP)).toThrow('unable to find group nogroup');
  });
});

describe('reading files inside a rootfs', () => {
  let base: string;
  let root: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'tsc-passwd-'));
    root = join(base, 'rootfs');
    mkdirSync(join(root, 'etc/sub'), { recursive: true });
    mkdirSync(join(root, 'usr/lib'), { recursive: true });
    writeFileSync(join(base, 'secret'), 'HOST SECRET\n');
    writeFileSync(join(root, 'usr/lib/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
    // /etc/passwd -> /usr/lib/passwd: absolute, must stay in the rootfs
    symlinkSync('/usr/lib/passwd', join(root, 'etc/passwd'));
    // escapes that must resolve inside the rootfs, not to the host
    symlinkSync('/../secret', join(root, 'etc/abs-escape'));
    symlinkSync('../../../secret', join(root, 'etc/rel-escape'));
    symlinkSync(join(base, 'secret'), join(root, 'etc/host-abs'));
    symlinkSync('sub/../../usr/lib/passwd', join(root, 'etc/rel-ok'));
    symlinkSync('loop2', join(root, 'etc/loop1'));
    symlinkSync('loop1', join(root, 'etc/loop2'));
    symlinkSync('/etc', join(root, 'etc/sub/up'));
    writeFileSync(join(root, 'secret'), 'ROOTFS FILE\n');
    execFileSync('mkfifo', [join(root, 'etc/fifo')]);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('follows links the way the container would', () => {
    expect(readFileInRoot(root, '/etc/passwd')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(readFileInRoot(root, 'etc/rel-ok')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(readFileInRoot(root, '/etc/sub/up/group')).toBe('root:x:0:\n');
    expect(readFileInRoot(root + '/', '/etc/../etc/./group')).toBe('root:x:0:\n');
  });
  it.each(['/etc/abs-escape', '/etc/rel-escape', '/../secret', '/etc/host-abs'])('%s never reaches the host file', (p) => {
    const got = readFileInRoot(root, p);
    expect(got).not.toBe('HOST SECRET\n');
  });
  it('escapes land on the file of the same name inside the rootfs', () => {
    expect(readFileInRoot(root, '/etc/abs-escape')).toBe('ROOTFS FILE\n');
    expect(readFileInRoot(root, '/etc/rel-escape')).toBe('ROOTFS FILE\n');
    expect(resolveInRoot(root, '/etc/host-abs')).toBeUndefined(); // $base/secret does not exist inside the rootfs
  });
  it('missing files, non-directories in the path, FIFOs and directories read as undefined', () => {
    expect(readFileInRoot(root, '/etc/shadow')).toBeUndefined();
    expect(readFileInRoot(root, '/etc/group/x')).toBeUndefined();
    expect(readFileInRoot(root, '/etc/fifo')).toBeUndefined();
    expect(readFileInRoot(root, '/etc')).toBeUndefined();
  });
  it('symlink loops are an error', () => {
    expect(() => readFileInRoot(root, '/etc/loop1')).toThrow('too many levels of symbolic links');
  });
  it('refuses oversized files', () => {
    expect(() => readFileInRoot(root, '/etc/group', 4)).toThrow('larger than 4 bytes');
  });
  it('readContainerUserFiles', () => {
    expect(readContainerUserFiles(root)).toEqual({ passwd: 'root:x:0:0:root:/root:/bin/sh\n', group: 'root:x:0:\n' });
    expect(readContainerUserFiles(join(base, 'nope'))).toEqual({ passwd: undefined, group: undefined });
  });
});
