/**
 * Once per test run (vitest globalSetup of the integration project): the test user, a registry
 * on loopback with the fixture images, registries.conf; handed to the test files with
 * provide/inject (see index.ts). Teardown kills what the run left running and removes its files.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { killOurProcesses, removeTestDir, RUN_MARKER } from './cleanup.js';
import { buildFixtures, FIXTURES } from './fixtures.js';
import { registriesConf } from './registries-conf.js';
import { startRegistry, type Registry } from './registry.js';
import type { HarnessInfo } from './types.js';
import { ensureReadableByUser, ensureTestUser } from './user.js';

const repo = resolve(import.meta.dirname, '../..');
const RUN_PREFIX = 'tsc-ctr-test-';

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The CLI the tests run, and a loud warning when dist/ is older than src/. */
function cliEntry(): string {
  const override = process.env.TSC_CTR_TEST_BIN;
  if (override) {
    if (!existsSync(override)) throw new Error(`TSC_CTR_TEST_BIN=${override}: no such file`);
    return resolve(override);
  }
  const dist = join(repo, 'dist', 'cli.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` (or ./scripts/setup) before the integration tests`);
  if (newest(join(repo, 'src')) > statSync(dist).mtimeMs) {
    console.warn('test harness: WARNING: dist/ is older than src/: the integration tests run the last build (`npm run build` first)');
  }
  return join(repo, 'bin', 'tsc-ctr');
}

/** Directories of earlier runs whose vitest process is gone (killed runs leave them). */
function staleRunDirs(parent: string, prefix: string): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((n) => n.startsWith(prefix))
    .filter((n) => {
      const pid = Number(n.slice(prefix.length).split('-')[0]);
      return pid > 0 && pid !== process.pid && !existsSync(`/proc/${pid}`);
    })
    .map((n) => join(parent, n));
}

/** mkdir -p, giving each directory it creates to uid:gid. */
function mkdirOwned(dir: string, uid: number, gid: number, chown: boolean): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (!chown || !first) return;
  for (let d = dir; d.length >= first.length; d = resolve(d, '..')) chownSync(d, uid, gid);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const root = process.getuid?.() === 0;
  const user = ensureTestUser();
  const bin = cliEntry();
  ensureReadableByUser(user, [bin, ...(process.env.TSC_CTR_TEST_BIN ? [] : [join(repo, 'dist', 'cli.js')]), process.execPath]);

  const runId = `${process.pid}-${started.toString(36)}`;
  const storesParent = user.created ? join(user.home, 'stores') : tmpdir();
  for (const d of [...staleRunDirs(tmpdir(), RUN_PREFIX), ...staleRunDirs(storesParent, RUN_PREFIX)]) await removeTestDir(d);

  const runDir = join(tmpdir(), `${RUN_PREFIX}${runId}`);
  mkdirSync(runDir, { mode: 0o755 });
  const userDir = join(storesParent, `${RUN_PREFIX}${runId}${user.created ? '' : '-user'}`);
  mkdirOwned(userDir, user.uid, user.gid, user.created);

  let registry: Registry | undefined;
  const teardown = async (): Promise<void> => {
    await registry?.stop();
    await killOurProcesses({ env: [`${RUN_MARKER}=${runId}`], dirs: [runDir, userDir] });
    await removeTestDir(userDir);
    await removeTestDir(runDir);
  };
  try {
    registry = await startRegistry({ parentDir: runDir });
    const layout = join(runDir, 'layout');
    const images = await buildFixtures(layout, registry.host);
    // umoci writes blobs 0600: let the test user read the layout (skopeo oci:, tar)
    execFileSync('chmod', ['-R', 'a+rX', layout]);

    const conf = registriesConf(registry.host);
    const confFile = join(runDir, 'registries.conf');
    writeFileSync(confFile, conf, { mode: 0o644 });
    // The dedicated test user also gets it where Podman and tsc-ctr look by default. An
    // ordinary user's own ~/.config is not ours to overwrite.
    if (user.created) {
      const dir = join(user.home, '.config', 'containers');
      mkdirOwned(dir, user.uid, user.gid, true);
      writeFileSync(join(dir, 'registries.conf'), conf, { mode: 0o644 });
      chownSync(join(dir, 'registries.conf'), user.uid, user.gid);
    }

    const info: HarnessInfo = {
      repo,
      bin,
      root,
      user,
      runId,
      runDir,
      userDir,
      registry: registry.host,
      registriesConf: confFile,
      fixtures: Object.fromEntries(Object.entries(images).map(([k, v]) => [k, v.ref])),
      images,
      layout,
      layoutTags: Object.keys(FIXTURES),
    };
    project.provide('harness', info);
    console.log(
      `test harness: user ${user.name} (uid ${user.uid}${user.subuid ? `, subuids ${user.subuid.start}+${user.subuid.count}` : ', no subuids'}), ` +
        `registry ${registry.host}, ${Object.keys(images).length} fixture images, ready in ${Date.now() - started} ms`,
    );
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
