/** What globalSetup hands the test files (through vitest's provide/inject: plain JSON). */

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /**
   * True when the tests run as root and this is the dedicated unprivileged user `tscctr-test`;
   * false when the tests run as an ordinary user, who is then "the user".
   */
  created: boolean;
  /** The user's /etc/subuid and /etc/subgid ranges (undefined: the user has none). */
  subuid?: { start: number; count: number };
  subgid?: { start: number; count: number };
}

/** One image pushed to the loopback registry. */
export interface FixtureImage {
  /** Full reference through the loopback registry: `127.0.0.1:PORT/library/busybox:latest`. */
  ref: string;
  /** Repository path in the registry: `library/busybox`. */
  repository: string;
  tag: string;
  /** Digest of the manifest as the registry serves it (`sha256:…`). */
  digest: string;
  /** Labels in the image config. */
  labels: Record<string, string>;
}

export interface HarnessInfo {
  /** Absolute path of the repository. */
  repo: string;
  /** The CLI entry point run by runCli (bin/tsc-ctr unless TSC_CTR_TEST_BIN says otherwise). */
  bin: string;
  /** Whether the test run is root: tests that need root (rootful mode) skip when false. */
  root: boolean;
  user: TestUser;
  /** Unique id of this test run; every process the harness starts carries it in its environment. */
  runId: string;
  /** Per-run directory (root-owned when root, world-readable): fixtures, configs, root's stores. */
  runDir: string;
  /** Per-run directory the test user owns; newStorage() makes the user's stores in it. */
  userDir: string;
  /** host:port of the loopback registry (plain http, no auth). */
  registry: string;
  /**
   * registries.conf that makes the loopback registry insecure and a mirror of docker.io. Every
   * runAsUser/runCli gets it as CONTAINERS_REGISTRIES_CONF (so concurrent test runs cannot see
   * each other's registry); the test user also has a copy in ~/.config/containers. skopeo 1.9
   * ignores the variable: give it `--registries-conf` (or rely on the user's copy).
   */
  registriesConf: string;
  /**
   * Fixture references by name (busybox, alpine, alpine3, tscBusybox), e.g. `fixtures.busybox`
   * is `127.0.0.1:PORT/library/busybox:latest`.
   */
  fixtures: Record<string, string>;
  /** The same fixtures with their digests and labels. */
  images: Record<string, FixtureImage>;
  /** The OCI image layout the fixtures were built in (readable by the test user) and its tags. */
  layout: string;
  layoutTags: string[];
}

// provide('harness', …) in global-setup.ts, inject('harness') in index.ts
declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}
