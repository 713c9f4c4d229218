import { describe, expect, it } from 'vitest';
import { goName, templateView, toYaml, yamlString } from '../../../src/system/info-text.js';
import { idMappings } from '../../../src/system/info.js';

describe('idMappings (Podman: 0 → own id, then the ranges back to back)', () => {
  it('maps one range', () => {
    expect(idMappings(true, 1001, 1002, [{ start: 100000, count: 65536 }], [{ start: 200000, count: 65536 }])).toEqual({
      uidmap: [
        { container_id: 0, host_id: 1001, size: 1 },
        { container_id: 1, host_id: 100000, size: 65536 },
      ],
      gidmap: [
        { container_id: 0, host_id: 1002, size: 1 },
        { container_id: 1, host_id: 200000, size: 65536 },
      ],
    });
  });
  it('stacks several ranges', () => {
    const m = idMappings(true, 1000, 1000, [{ start: 100000, count: 1000 }, { start: 300000, count: 64536 }], []);
    expect(m.uidmap).toEqual([
      { container_id: 0, host_id: 1000, size: 1 },
      { container_id: 1, host_id: 100000, size: 1000 },
      { container_id: 1001, host_id: 300000, size: 64536 },
    ]);
    expect(m.gidmap).toEqual([{ container_id: 0, host_id: 1000, size: 1 }]);
  });
  it('is empty when rootful', () => {
    expect(idMappings(false, 0, 0, [{ start: 1, count: 2 }], [])).toEqual({ uidmap: [], gidmap: [] });
  });
});

describe('yaml text', () => {
  it('quotes only what go-yaml quotes', () => {
    expect(yamlString('amd64')).toBe('amd64');
    expect(yamlString('12')).toBe('"12"');
    expect(yamlString('1.5')).toBe('"1.5"');
    expect(yamlString('true')).toBe('"true"');
    expect(yamlString('no')).toBe('"no"');
    expect(yamlString('')).toBe('""');
    expect(yamlString('conmon version 2.1.6, commit: unknown')).toBe("'conmon version 2.1.6, commit: unknown'");
    expect(yamlString("it's: x")).toBe("'it''s: x'");
    expect(yamlString('/usr/bin/crun')).toBe('/usr/bin/crun');
    expect(yamlString('264h 14m 32.73s (Approximately 11.00 days)')).toBe('264h 14m 32.73s (Approximately 11.00 days)');
    expect(yamlString('-x')).toBe("'-x'");
    expect(yamlString('a #b')).toBe("'a #b'");
    expect(yamlString('0.0~git20230309.7c7625d-1')).toBe('0.0~git20230309.7c7625d-1');
  });
  it('sorts keys, writes sequences at their key\'s indent, block strings, empty containers', () => {
    const text = toYaml({
      store: { graphStatus: { 'Supports d_type': 'true', 'Backing Filesystem': 'extfs' }, graphOptions: {}, imageStore: { number: 3 } },
      host: {
        ociRuntime: { version: 'crun version 1.8.1\ncommit: f8a0\nspec: 1.0.0', name: 'crun' },
        idMappings: { uidmap: [{ container_id: 0, host_id: 1001, size: 1 }, { container_id: 1, host_id: 100000, size: 65536 }] },
        cgroupControllers: [],
        arch: 'amd64',
        security: { rootless: true },
      },
      registries: { search: ['docker.io', 'quay.io'] },
      plugins: { authorization: null, log: ['k8s-file'] },
    });
    expect(text).toBe(
      [
        'host:',
        '  arch: amd64',
        '  cgroupControllers: []',
        '  idMappings:',
        '    uidmap:',
        '    - container_id: 0',
        '      host_id: 1001',
        '      size: 1',
        '    - container_id: 1',
        '      host_id: 100000',
        '      size: 65536',
        '  ociRuntime:',
        '    name: crun',
        '    version: |-',
        '      crun version 1.8.1',
        '      commit: f8a0',
        '      spec: 1.0.0',
        '  security:',
        '    rootless: true',
        'plugins:',
        '  authorization: null',
        '  log:',
        '  - k8s-file',
        'registries:',
        '  search:',
        '  - docker.io',
        '  - quay.io',
        'store:',
        '  graphOptions: {}',
        '  graphStatus:',
        '    Backing Filesystem: extfs',
        '    Supports d_type: "true"',
        '  imageStore:',
        '    number: 3',
        '',
      ].join('\n'),
    );
  });
});

describe('Go template view', () => {
  const info = {
    host: {
      arch: 'amd64',
      cgroupVersion: 'v1',
      cpus: 2,
      os: 'linux',
      ociRuntime: { name: 'runc', path: '/usr/sbin/runc' },
      idMappings: { uidmap: [{ container_id: 0, host_id: 1001, size: 1 }], gidmap: [] },
      security: { rootless: true, capabilities: 'CAP_CHOWN', seccompEnabled: true, selinuxEnabled: false, apparmorEnabled: false },
      slirp4netns: { executable: '/usr/bin/slirp4netns' },
    },
    store: { graphRoot: '/g', graphStatus: { 'Native Overlay Diff': 'true' }, graphOptions: { 'overlay.mount_program': { Executable: '/f' } } },
    registries: { search: ['docker.io'] },
    version: { APIVersion: '1', Version: '1' },
  };
  const v = templateView(info) as any;
  it('uses Podman\'s Go field names', () => {
    expect(v.Host.Arch).toBe('amd64');
    expect(v.Host.CgroupsVersion).toBe('v1');
    expect(v.Host.CPUs).toBe(2);
    expect(v.Host.OS).toBe('linux');
    expect(v.Host.OCIRuntime.Name).toBe('runc');
    expect(v.Host.IDMappings.UIDMap[0]).toEqual({ ContainerID: 0, HostID: 1001, Size: 1 });
    expect(v.Host.Security.Rootless).toBe(true);
    expect(v.Host.Security.DefaultCapabilities).toBe('CAP_CHOWN');
    expect(v.Host.Security.SECCOMPEnabled).toBe(true);
    expect(v.Host.Security.SELinuxEnabled).toBe(false);
    expect(v.Host.Security.AppArmorEnabled).toBe(false);
    expect(v.Host.Slirp4NetNS.Executable).toBe('/usr/bin/slirp4netns');
    expect(v.Store.GraphRoot).toBe('/g');
    expect(v.Version.APIVersion).toBe('1');
  });
  it('keeps the keys of Go maps as data', () => {
    expect(v.Registries.search).toEqual(['docker.io']);
    expect(v.Store.GraphStatus['Native Overlay Diff']).toBe('true');
    expect(v.Store.GraphOptions['overlay.mount_program'].Executable).toBe('/f');
  });
  it('serialises back to the JSON keys (so {{json .Host}} matches Podman)', () => {
    expect(JSON.parse(JSON.stringify(v.Host))).toEqual(info.host);
    expect(Object.keys(v.Host)).not.toContain('toJSON');
  });
  it('goName capitalises by default', () => {
    expect(goName('graphRoot')).toBe('GraphRoot');
    expect(goName('cgroupVersion')).toBe('CgroupsVersion');
  });
});
