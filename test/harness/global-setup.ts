import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { BUSYBOX_CONFIG, buildImage, busyboxLayer, pushImage } from './fixtures.js';
import { startRegistry } from './registry.js';
import { registriesConf } from './registries-conf.js';
import { checkRepoReachable, ensureTestUser, killUserProcesses, openRepoPath } from './user.js';
import type { HarnessInfo } from './types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}

const repo = resolve(import.meta.dirname, '../..');

/** Once per test run: the test user, a registry on loopback, the fixture images. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const user = ensureTestUser();
  if (user.created) openRepoPath(repo);
  const unreachable = checkRepoReachable(repo);
  if (unreachable) throw new Error(`the test user cannot reach the repository: ${unreachable}`);

  const registry = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'tsc-fixtures-'));
  const layout = join(work, 'layout');
  const busybox = buildImage(layout, 'busybox', { layers: [busyboxLayer], config: BUSYBOX_CONFIG });
  for (const dest of ['library/busybox:latest', 'library/alpine:latest', 'library/alpine:3', 'tsc/busybox:latest']) {
    pushImage(busybox, `${registry.host}/${dest}`);
  }

  // registries.conf for the test user: the loopback registry is insecure (plain http) and a
  // mirror of docker.io, so `alpine` resolves offline.
  const confDir = join(user.home, '.config', 'containers');
  mkdirSync(confDir, { recursive: true });
  const confText = registriesConf(registry.host);
  writeFileSync(join(confDir, 'registries.conf'), confText);
  // Root's own config is not touched: rootful tests point CONTAINERS_REGISTRIES_CONF here.
  const rootConf = join(work, 'registries.conf');
  writeFileSync(rootConf, confText);
  if (user.created) {
    for (const d of [join(user.home, '.config'), confDir, join(confDir, 'registries.conf')]) chownSync(d, user.uid, user.gid);
  }

  const info: HarnessInfo = {
    repo,
    bin: join(repo, 'bin', 'tsc-ctr'),
    user,
    registry: registry.host,
    rootRegistriesConf: rootConf,
    fixtures: { busybox: `${registry.host}/library/busybox:latest`, layout, ociBusybox: busybox },
  };
  project.provide('harness', info);

  return async () => {
    killUserProcesses(user);
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
    // root's own test storage (rootful tests) lives under the system temp dir
    try {
      execFileSync('sh', ['-c', 'rm -rf /tmp/tsc-root-store-*']);
    } catch {
      /* nothing */
    }
  };
}
