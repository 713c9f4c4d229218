// Generated specs against the OCI runtime-spec JSON schema (config-schema.json), as Debian's
// golang-github-opencontainers-specs-dev installs it (`scripts/setup --test` does);
// OCI_RUNTIME_SPEC_SCHEMA_DIR points elsewhere. Without it this file is skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageRuntimeConfig } from '../../../src/oci/image.js';
import { serializeSpec } from '../../../src/oci/runtime.js';
import { generateSpec } from '../../../src/runtime/spec/generate.js';
import type { SeccompProfile } from '../../../src/runtime/spec/seccomp.js';
import type { ContainerCreateOptions, HostFacts } from '../../../src/runtime/spec/types.js';
import { cfg, GROUP, PASSWD, rootlessHost } from './fixtures.js';
import { SchemaValidator } from './json-schema.js';

const SCHEMA_DIR = process.env.OCI_RUNTIME_SPEC_SCHEMA_DIR ?? '/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema';
const haveSchema = existsSync(join(SCHEMA_DIR, 'config-schema.json'));

const seccompProfile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
  ],
};

const image: ImageRuntimeConfig = { Env: ['PATH=/usr/bin:/bin'], Entrypoint: ['/entry'], Cmd: ['run'], WorkingDir: '/app', Volumes: { '/data': {} } };

const cases: [string, ContainerCreateOptions, Partial<HostFacts>][] = [
  ['default rootless', {}, {}],
  ['rootless with seccomp and a terminal', { tty: true, interactive: true }, { seccompProfile }],
  ['host namespaces', { network: 'host', pid: 'host', ipc: 'host', uts: 'host' }, {}],
  ['privileged, read-only, init', { privileged: true, readOnly: true, init: true }, {}],
  [
    'many flags',
    {
      user: 'alice:dev',
      groupAdd: ['wheel'],
      capAdd: ['NET_ADMIN'],
      capDrop: ['KILL'],
      volume: ['/srv:/srv:ro,rslave', 'cache:/cache'],
      tmpfs: ['/scratch:size=1m,mode=1777'],
      mount: ['type=tmpfs,dst=/t,U'],
      ulimit: ['nofile=100:200', 'core=-1'],
      securityOpt: ['no-new-privileges', 'mask=/secret', 'unmask=/proc/kcore'],
      sysctl: ['net.ipv4.ip_forward=1'],
      hostname: 'web',
      annotation: ['k=v'],
      shmSize: '1g',
    },
    { seccompProfile, files: {} },
  ],
  ['rootful with cgroups', { ulimit: ['memlock=-1'] }, { rootless: false, cgroups: { version: 2, usable: true, path: '/tsc/abc' } }],
];
const HOST_PROFILE = '/usr/share/containers/seccomp.json';
if (existsSync(HOST_PROFILE)) {
  cases.push(['with the host seccomp profile', {}, { seccompProfile: JSON.parse(readFileSync(HOST_PROFILE, 'utf8')) as SeccompProfile }]);
}

describe.skipIf(!haveSchema)(`OCI runtime-spec schema (${SCHEMA_DIR})`, () => {
  const v = new SchemaValidator(SCHEMA_DIR);

  // The validator itself must accept the spec's own good examples and reject the bad ones.
  const examples = join(SCHEMA_DIR, 'test/config');
  const list = (kind: string) => (existsSync(join(examples, kind)) ? readdirSync(join(examples, kind)).filter((f) => f.endsWith('.json')) : []);
  it.each(list('good'))('accepts good example %s', (f) => {
    expect(v.validate('config-schema.json', JSON.parse(readFileSync(join(examples, 'good', f), 'utf8')))).toEqual([]);
  });
  it.each(list('bad').filter((f) => f !== 'invalid-json.json'))('rejects bad example %s', (f) => {
    expect(v.validate('config-schema.json', JSON.parse(readFileSync(join(examples, 'bad', f), 'utf8'))).length).toBeGreaterThan(0);
  });
  it('rejects a broken spec', () => {
    const { spec } = generateSpec({ config: cfg(), image, host: rootlessHost(), users: { passwd: PASSWD, group: GROUP }, rootfs: 'rootfs', volumeSources: { '/data': '/v' } });
    const doc = JSON.parse(serializeSpec(spec)) as Record<string, Record<string, unknown>>;
    doc.process!.cwd = 5;
    (doc.process!.rlimits as Record<string, unknown>[])[0]!.type = 'nofile';
    const errors = v.validate('config-schema.json', doc);
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/process/cwd', '/process/rlimits/0/type']));
  });

  it.each(cases)('%s', (_n, o, h) => {
    const { spec } = generateSpec({
      config: cfg(o),
      image,
      host: rootlessHost(h),
      users: { passwd: PASSWD, group: GROUP },
      rootfs: '/data/merged',
      volumeSources: { '/data': '/vols/a/_data', '/cache': '/vols/cache/_data' },
      created: '2026-11-22T11:18:09Z',
      consoleSize: { height: 24, width: 80 },
    });
    expect(v.validate('config-schema.json', JSON.parse(serializeSpec(spec)))).toEqual([]);
  });
});
