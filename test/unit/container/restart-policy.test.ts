import { describe, expect, it } from 'vitest';
import { checkRestartWithRm, formatRestartPolicy, parseRestartPolicy, shouldRestart } from '../../../src/container/restart-policy.js';
import { parseSdNotifyMode, startedMessage } from '../../../src/container/sdnotify.js';

describe('parseRestartPolicy', () => {
  it.each([
    ['', { name: 'no', maxRetries: 0 }],
    ['no', { name: 'no', maxRetries: 0 }],
    ['always', { name: 'always', maxRetries: 0 }],
    ['unless-stopped', { name: 'unless-stopped', maxRetries: 0 }],
    ['on-failure', { name: 'on-failure', maxRetries: 0 }],
    ['on-failure:5', { name: 'on-failure', maxRetries: 5 }],
    ['On-Failure:1', { name: 'on-failure', maxRetries: 1 }],
  ])('%j', (text, want) => expect(parseRestartPolicy(text)).toEqual(want));

  it.each([
    ['bogus', /invalid restart policy "bogus"/],
    ['always:2', /only be specified with on-failure/],
    ['on-failure:x', /retry count/],
    ['on-failure:-1', /greater than 0/],
    ['on-failure:1:2', /at most once/],
  ])('rejects %j', (text, msg) => expect(() => parseRestartPolicy(text)).toThrow(msg));

  it('formats back', () => {
    expect(formatRestartPolicy(parseRestartPolicy('on-failure:3'))).toBe('on-failure:3');
    expect(formatRestartPolicy(undefined)).toBe('no');
  });

  it('--rm conflicts with a policy', () => {
    expect(() => checkRestartWithRm(parseRestartPolicy('always'), true)).toThrow(/conflicts/);
    expect(() => checkRestartWithRm(parseRestartPolicy('no'), true)).not.toThrow();
  });
});

describe('shouldRestart', () => {
  const exited = (exitCode: number, extra: object = {}) => ({ status: 'exited' as const, exitCode, ...extra });
  it.each([
    ['no', exited(1), false],
    ['always', exited(0), true],
    ['always', exited(0, { stoppedByUser: true }), false],
    ['unless-stopped', exited(0), true],
    ['on-failure', exited(0), false],
    ['on-failure', exited(1, { restartCount: 100 }), true],
    ['on-failure:2', exited(1, { restartCount: 1 }), true],
    ['on-failure:2', exited(1, { restartCount: 2 }), false],
    ['always', { status: 'running' as const }, false],
  ])('%s %j → %s', (p, s, want) => expect(shouldRestart(parseRestartPolicy(p), s)).toBe(want));
});

describe('sdnotify', () => {
  it('modes', () => {
    expect(parseSdNotifyMode(undefined)).toBe('container');
    expect(parseSdNotifyMode('conmon')).toBe('conmon');
    expect(() => parseSdNotifyMode('x')).toThrow(/must be one of/);
  });
  it('messages', () => {
    expect(startedMessage('conmon', 42)).toBe('MAINPID=42\nREADY=1');
    expect(startedMessage('container', 42)).toBe('MAINPID=42');
    expect(startedMessage('ignore', 42)).toBeUndefined();
  });
});
