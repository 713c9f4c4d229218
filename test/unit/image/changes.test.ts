import { describe, expect, it } from 'vitest';
import { applyChanges, parseChange, parseChanges, splitWords } from '../../../src/image/changes.js';

describe('parseChange', () => {
  it.each([
    ['CMD=/bin/sh', { kind: 'CMD', args: ['/bin/sh', '-c', '/bin/sh'] }],
    ['CMD ["echo","hi there"]', { kind: 'CMD', args: ['echo', 'hi there'] }],
    ['CMD=["echo","x"]', { kind: 'CMD', args: ['echo', 'x'] }],
    ['cmd echo hi', { kind: 'CMD', args: ['/bin/sh', '-c', 'echo hi'] }],
    ['CMD', { kind: 'CMD', args: ['/bin/sh', '-c'] }],
    ['ENTRYPOINT []', { kind: 'ENTRYPOINT', args: [] }],
    ['ENTRYPOINT=', { kind: 'ENTRYPOINT', args: [] }],
    ['ENTRYPOINT ["/init"]', { kind: 'ENTRYPOINT', args: ['/init'] }],
    ['ENTRYPOINT [not json', { kind: 'ENTRYPOINT', args: ['/bin/sh', '-c', '[not json'] }],
    ['ENV FOO=bar', { kind: 'ENV', name: 'FOO', value: 'bar' }],
    ['ENV=FOO=bar=baz', { kind: 'ENV', name: 'FOO', value: 'bar=baz' }],
    ['ENV FOO="a b"', { kind: 'ENV', name: 'FOO', value: 'a b' }],
    ['ENV FOO a b', { kind: 'ENV', name: 'FOO', value: 'a b' }],
    ['ENV EMPTY=', { kind: 'ENV', name: 'EMPTY', value: '' }],
    ['ENV=GREETING=hi there', { kind: 'ENV', name: 'GREETING', value: 'hi there' }],
    ['ENV "G"="a b" c', { kind: 'ENV', name: 'G', value: '"a b" c' }],
    ['LABEL com.example.x=1', { kind: 'LABEL', name: 'com.example.x', value: '1' }],
    ['LABEL "a b"="c d"', { kind: 'LABEL', name: 'a b', value: 'c d' }],
    ['EXPOSE 80', { kind: 'EXPOSE', ports: ['80/tcp'] }],
    ['EXPOSE 53/UDP 8080-8081', { kind: 'EXPOSE', ports: ['53/udp', '8080-8081/tcp'] }],
    ['VOLUME /data /logs', { kind: 'VOLUME', paths: ['/data', '/logs'] }],
    ['VOLUME ["/a b"]', { kind: 'VOLUME', paths: ['/a b'] }],
    ['USER 1000:1000', { kind: 'USER', value: '1000:1000' }],
    ['USER=nobody', { kind: 'USER', value: 'nobody' }],
    ['WORKDIR /srv', { kind: 'WORKDIR', value: '/srv' }],
    ['STOPSIGNAL 9', { kind: 'STOPSIGNAL', value: 'SIGKILL' }],
    ['STOPSIGNAL=quit', { kind: 'STOPSIGNAL', value: 'SIGQUIT' }],
    ['ONBUILD RUN x', { kind: 'ONBUILD', value: 'RUN x' }],
  ])('%s', (input, want) => {
    expect(parseChange(input)).toEqual(want);
  });

  it.each([
    ['FROM alpine', /unknown instruction FROM/],
    ['RUN echo', /unknown instruction RUN/],
    ['', /must be formatted/],
    ['=x', /must be formatted/],
    ['USER', /USER needs a value/],
    ['WORKDIR=', /WORKDIR needs a value/],
    ['EXPOSE', /EXPOSE needs a port/],
    ['EXPOSE 70000', /out of range/],
    ['EXPOSE 80/icmp', /protocol/],
    ['EXPOSE http', /PORT\[\/PROTO\]/],
    ['STOPSIGNAL NOPE', /not a signal/],
    ['LABEL novalue', /NAME=VALUE/],
    ['ENV A=1 B=2', /one ENV per --change/],
    ['ENV =x', /non-empty name/],
    ['ENV A="x', /unterminated/],
    ['VOLUME', /VOLUME needs/],
  ])('refuses %j', (input, re) => {
    expect(() => parseChange(input)).toThrow(re);
    expect(() => parseChange(input)).toThrow(/^invalid change /);
  });
});

describe('splitWords', () => {
  it('groups quotes and escapes', () => {
    expect(splitWords(`a=1 "b c"=2 d='e f' g\\ h`)).toEqual(['a=1', 'b c=2', 'd=e f', 'g h']);
    expect(splitWords('  ')).toEqual([]);
    expect(splitWords('x=""')).toEqual(['x=']);
  });
});

describe('applyChanges', () => {
  const base = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Labels: { keep: 'y' }, WorkingDir: '/app', ExposedPorts: { '22/tcp': {} } };

  it('applies in order, later wins, base untouched', () => {
    const out = applyChanges(base, parseChanges(['ENV A=2', 'ENV B=3', 'CMD ["echo"]', 'LABEL x=1', 'EXPOSE 80', 'USER 5', 'STOPSIGNAL TERM', 'CMD ["true"]']));
    expect(out.Env).toEqual(['PATH=/bin', 'A=2', 'B=3']);
    expect(out.Cmd).toEqual(['true']);
    expect(out.Labels).toEqual({ keep: 'y', x: '1' });
    expect(out.ExposedPorts).toEqual({ '22/tcp': {}, '80/tcp': {} });
    expect(out.User).toBe('5');
    expect(out.StopSignal).toBe('SIGTERM');
    expect(base.Env).toEqual(['PATH=/bin', 'A=1']);
    expect(base.Labels).toEqual({ keep: 'y' });
  });

  it('WORKDIR is relative to the previous one', () => {
    expect(applyChanges(base, parseChanges(['WORKDIR sub', 'WORKDIR ../x'])).WorkingDir).toBe('/app/x');
    expect(applyChanges(undefined, parseChanges(['WORKDIR rel'])).WorkingDir).toBe('/rel');
    expect(applyChanges(base, parseChanges(['WORKDIR /abs'])).WorkingDir).toBe('/abs');
  });

  it('VOLUME and ONBUILD accumulate; no changes = a copy', () => {
    const out = applyChanges(undefined, parseChanges(['VOLUME /a', 'VOLUME ["/b"]', 'ONBUILD RUN a', 'ONBUILD RUN b']));
    expect(out.Volumes).toEqual({ '/a': {}, '/b': {} });
    expect(out.OnBuild).toEqual(['RUN a', 'RUN b']);
    expect(applyChanges(base, [])).toEqual(base);
    expect(applyChanges(undefined, [])).toEqual({});
  });
});
