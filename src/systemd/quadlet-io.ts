// Where .container files are found and where generated units go: the file-system side of quadlet.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { convertContainer, type QuadletContext, type QuadletService } from './quadlet.js';
import { parseUnitFile } from './unit-file.js';

/**
 * Podman's search path. Users: $XDG_CONFIG_HOME/containers/systemd, then
 * /etc/containers/systemd/users/UID, then /etc/containers/systemd/users. System: /run, /etc,
 * /usr/share. QUADLET_UNIT_DIRS (colon-separated) replaces it, as in Podman.
 */
export function quadletSearchDirs(user: boolean, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string[] {
  if (env.QUADLET_UNIT_DIRS) return env.QUADLET_UNIT_DIRS.split(':').filter(Boolean);
  if (user) {
    const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
    return [join(config, 'containers/systemd'), `/etc/containers/systemd/users/${uid}`, '/etc/containers/systemd/users'];
  }
  return ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'];
}

/** .container files by name, the first directory that has a name winning; subdirectories searched too. */
export function findContainerFiles(dirs: string[], user: boolean): string[] {
  const seen = new Map<string, string>();
  const walk = (dir: string, top: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        // the system generator leaves the per-user tree to the user generator
        if (!user && top === '/etc/containers/systemd' && p === join(top, 'users')) continue;
        walk(p, top);
      } else if (n.endsWith('.container') && !seen.has(n)) seen.set(n, p);
    }
  };
  for (const d of dirs) walk(d, d);
  return [...seen.values()];
}

export interface QuadletResult {
  services: QuadletService[];
  /** One message per file that could not be converted (FILE:LINE: why). */
  errors: string[];
}

export function convertFiles(files: string[], ctx: QuadletContext): QuadletResult {
  const services: QuadletService[] = [];
  const errors: string[] = [];
  for (const f of files) {
    try {
      services.push(convertContainer(parseUnitFile(readFileSync(f, 'utf8'), f), ctx));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { services, errors };
}

/** What `--dryrun` prints: each unit under a `---NAME---` line, as Podman's quadlet does. */
export function dryRunText(services: QuadletService[]): string {
  return services.map((s) => `---${s.unitName}---\n${s.text}`).join('\n');
}

/**
 * Write the units into a generator's output directory, and link them into the .wants/.requires
 * of their [Install] targets: `systemctl enable` does not work on generated units.
 */
export function writeServices(outDir: string, services: QuadletService[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const s of services) {
    const path = join(outDir, s.unitName);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, s.text, { mode: 0o644 });
    renameSync(tmp, path);
    written.push(path);
    for (const [targets, suffix] of [[s.wantedBy, 'wants'], [s.requiredBy, 'requires']] as const) {
      for (const t of targets) {
        const dir = join(outDir, `${t}.${suffix}`);
        mkdirSync(dir, { recursive: true });
        const link = join(dir, s.unitName);
        if (existsSync(link)) rmSync(link, { force: true });
        symlinkSync(join('..', s.unitName), link);
      }
    }
  }
  return written;
}
