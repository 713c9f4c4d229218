import type { TestUser } from './user.js';

export interface HarnessInfo {
  repo: string;
  bin: string;
  user: TestUser;
  /** host:port of the loopback registry */
  registry: string;
  /** registries.conf for rootful runs (CONTAINERS_REGISTRIES_CONF) */
  rootRegistriesConf: string;
  fixtures: {
    /** registry reference of the busybox fixture */
    busybox: string;
    /** the OCI layout the fixtures were built in (readable by root) */
    layout: string;
    ociBusybox: string;
  };
}
