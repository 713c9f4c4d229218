// Shared inputs of the spec tests: a rootless cgroup-v1 host like the project's machine, and
// configs built through the real option parser.
import { prepareCreateOptions } from '../../../src/runtime/spec/options.js';
import type { ContainerConfig, ContainerCreateOptions, HostFacts } from '../../../src/runtime/spec/types.js';

export const CONTAINER_ID = '652e8c65b8d9a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890';

export function cfg(o: ContainerCreateOptions = {}, env: Record<string, string> = {}): ContainerConfig {
  return prepareCreateOptions(o, { env, cwd: '/home/tester' });
}

export function rootlessHost(over: Partial<HostFacts> = {}): HostFacts {
  return {
    rootless: true,
    cgroups: { version: 1, usable: false },
    availableGids: 65537,
    rlimits: { nofile: { soft: 20000, hard: 20000 }, nproc: { soft: 32768, hard: 32768 } },
    hostHostname: 'buildhost',
    containerId: CONTAINER_ID,
    files: {
      resolvConf: '/run/ctr/userdata/resolv.conf',
      hosts: '/run/ctr/userdata/hosts',
      containerEnv: '/run/ctr/userdata/.containerenv',
      hostname: '/run/ctr/userdata/hostname',
      shm: '/data/ctr/userdata/shm',
    },
    netnsPath: '/run/tsc-ctr/netns/netns-1',
    initPath: '/usr/bin/catatonit',
    arch: 'x64',
    ...over,
  };
}

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'alice:x:1000:1000:Alice:/home/alice:/bin/sh',
  'bob:x:1001:100::/home/bob:/bin/sh',
  'nohome:x:1002:1002:::/bin/sh',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:root',
  'daemon:x:1:root,daemon',
  'wheel:x:10:root,alice',
  'users:x:100:',
  'alice:x:1000:',
  'dev:x:2000:alice,bob',
  'big:x:70000:alice',
  '',
].join('\n');
