import { describe, expect, it } from 'vitest';
import { conmonArgs, parseSyncMessages } from '../../../src/runtime/conmon-args.js';

const base = {
  containerId: 'abc',
  name: 'web',
  runtimePath: '/usr/sbin/runc',
  runtimeArgs: ['--root', '/run/x/runc'],
  bundleDir: '/s/abc/userdata',
  pidFile: '/r/abc/pidfile',
  exitDir: '/r/exits',
  logPath: '/s/abc/userdata/ctr.log',
  conmonPidFile: '/r/abc/conmon.pid',
  terminal: false,
  stdin: false,
};

describe('conmonArgs', () => {
  it('matches the order Podman uses for a detached container', () => {
    expect(conmonArgs({ ...base, exitCommand: ['/usr/bin/tsc-ctr', 'container', 'cleanup', 'abc'] })).toEqual([
      '--api-version', '1', '-c', 'abc', '-u', 'abc', '-r', '/usr/sbin/runc', '-b', '/s/abc/userdata', '-p', '/r/abc/pidfile',
      '-n', 'web', '--exit-dir', '/r/exits', '--full-attach', '-l', 'k8s-file:/s/abc/userdata/ctr.log', '--log-level', 'warning',
      '--runtime-arg', '--root', '--runtime-arg', '/run/x/runc', '--conmon-pidfile', '/r/abc/conmon.pid',
      '--exit-command', '/usr/bin/tsc-ctr', '--exit-command-arg', 'container', '--exit-command-arg', 'cleanup', '--exit-command-arg', 'abc',
    ]);
  });
  it('-t wins over -i for containers, exec sessions get both', () => {
    expect(conmonArgs({ ...base, terminal: true, stdin: true })).toContain('-t');
    expect(conmonArgs({ ...base, terminal: true, stdin: true })).not.toContain('-i');
    expect(conmonArgs({ ...base, stdin: true })).toContain('-i');
    const ex = conmonArgs({ ...base, terminal: true, stdin: true, exec: { sessionId: 's1', processSpecPath: '/p', attach: true } });
    expect(ex).toEqual(expect.arrayContaining(['-t', '-i', '-e', '--exec-process-spec', '/p', '--exec-attach', '-l', 'none']));
    expect(ex[ex.indexOf('-u') + 1]).toBe('s1');
  });
  it('passes log size and sdnotify socket', () => {
    const a = conmonArgs({ ...base, logSizeMax: 1000, sdNotifySocket: '/run/n.sock' });
    expect(a).toEqual(expect.arrayContaining(['--log-size-max', '1000', '--sdnotify-socket=/run/n.sock']));
  });
});

describe('parseSyncMessages', () => {
  it('splits complete lines and keeps the rest', () => {
    expect(parseSyncMessages('{"data": 15007}\n{"data": -1, "message": "oops"}\n{"da')).toEqual({
      messages: [{ data: 15007 }, { data: -1, message: 'oops' }],
      rest: '{"da',
    });
  });
  it('reads the legacy keys', () => {
    expect(parseSyncMessages('{"pid": 7}\n{"exit_code": 3}\n').messages).toEqual([{ data: 7 }, { data: 3 }]);
  });
});
