import { describe, expect, it } from 'vitest';
import { runtimeError, runtimeExitCode } from '../../../src/runtime/errors.js';

describe('runtime errors', () => {
  it('keeps the runtime words without logrus framing, with Podman exit codes', () => {
    const e = runtimeError(
      'time="2026-11-22T13:48:49Z" level=error msg="runc create failed: unable to start container process: exec: \\"/nonexistent\\": stat /nonexistent: no such file or directory"',
      '/usr/sbin/runc',
    );
    expect(e.message).toBe(
      'runc: runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory: OCI runtime attempted to invoke a command that was not found',
    );
    expect(e.exitCode).toBe(127);
  });
  it.each([
    ['exec: "x": executable file not found in $PATH', 127],
    ['exec: "/etc/passwd": permission denied', 126],
    ['operation not permitted', 126],
    ['cgroups in hybrid mode not supported', 125],
  ])('%s → %i', (t, code) => expect(runtimeExitCode(t)).toBe(code));
  it('reads JSON log lines', () => {
    expect(runtimeError('{"level":"error","msg":"oops: permission denied"}', '/usr/bin/crun').message).toBe('crun: oops: permission denied: OCI permission denied');
  });
});
