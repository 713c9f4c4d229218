// Quadlet: a `.container` file (a unit file with a [Container] section) → a .service unit that
// runs the container under systemd, in the shape of Podman's quadlet generator
// (pkg/systemd/quadlet/quadlet.go). Pure: reading and writing files is quadlet-io.ts's job.
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { quoteUnitWord, splitUnitWords } from './escape.js';
import { type UnitEntry, type UnitFile, type UnitSection, UnitFileError, lookupAll, lookupLast, parseUnitBoolean, section, serializeUnitFile } from './unit-file.js';

/** The [Container] keys we understand; any other is an error (as in Podman). */
export const CONTAINER_KEYS = [
  'AddCapability',
  'ContainerName',
  'DropCapability',
  'Environment',
  'EnvironmentFile',
  'Exec',
  'Group',
  'HostName',
  'Image',
  'Label',
  'Network',
  'Notify',
  'PodmanArgs',
  'PublishPort',
  'ReadOnly',
  'Tmpfs',
  'User',
  'Volume',
  'WorkingDir',
] as const;

/** The [Quadlet] keys (options of the generator itself, not of the container). */
export const QUADLET_KEYS = ['DefaultDependencies'] as const;

export interface QuadletContext {
  /** Absolute path of our binary, the program of every command line. */
  executable: string;
  /** Written at the top of the unit, after `#`. */
  generator?: string;
}

export interface QuadletService {
  /** The unit's file name, e.g. `web.service`. */
  unitName: string;
  text: string;
  /** [Install] WantedBy= / RequiredBy= targets: a generator links the unit into their .wants/.requires. */
  wantedBy: string[];
  requiredBy: string[];
}

/** `web.container` → `web.service`. */
export function serviceUnitName(path: string): string {
  const b = basename(path);
  const dot = b.lastIndexOf('.');
  return `${dot > 0 ? b.slice(0, dot) : b}.service`;
}

function words(unit: UnitFile, e: UnitEntry): string[] {
  try {
    return splitUnitWords(e.value);
  } catch (err) {
    throw new UnitFileError(unit.path, e.line, `${e.key}: ${(err as Error).message}`);
  }
}

/** A path from the file, relative to the file's directory unless absolute or starting with a specifier. */
function fromFileDir(unit: UnitFile, p: string): string {
  if (isAbsolute(p) || (p.startsWith('%') && !p.startsWith('%%'))) return p;
  return unit.path ? join(dirname(unit.path), p) : resolve(p);
}

function boolKey(unit: UnitFile, key: string): boolean | undefined {
  const e = lookupLast(unit, 'Container', key);
  if (!e) return undefined;
  const b = parseUnitBoolean(e.value);
  if (b === undefined) throw new UnitFileError(unit.path, e.line, `${key}: ${JSON.stringify(e.value)} is not a boolean`);
  return b;
}

export function convertContainer(unit: UnitFile, ctx: QuadletContext): QuadletService {
  const ctr = section(unit, 'Container');
  if (!ctr) throw new UnitFileError(unit.path, undefined, 'no [Container] section');
  for (const e of ctr.entries) {
    if (!(CONTAINER_KEYS as readonly string[]).includes(e.key)) throw new UnitFileError(unit.path, e.line, `unsupported key '${e.key}' in group 'Container'`);
  }
  for (const e of section(unit, 'Quadlet')?.entries ?? []) {
    if (!(QUADLET_KEYS as readonly string[]).includes(e.key)) throw new UnitFileError(unit.path, e.line, `unsupported key '${e.key}' in group 'Quadlet'`);
  }
  const notify = lookupLast(unit, 'Container', 'Notify');
  if (notify && notify.value.toLowerCase() === 'healthy') {
    // Podman's --sdnotify=healthy sends READY=1 once the healthcheck passes: there is none here to pass.
    throw new UnitFileError(unit.path, notify.line, 'Notify=healthy is not supported: tsc-ctr has no healthchecks (use Notify=yes or leave Notify out)');
  }
  const image = lookupLast(unit, 'Container', 'Image')?.value;
  if (!image) throw new UnitFileError(unit.path, undefined, 'no Image key specified');

  // The output keeps the user's sections; [Container] goes on as [X-Container], which systemd ignores.
  const renamed: Record<string, string> = { Container: 'X-Container', Quadlet: 'X-Quadlet' };
  const sections: UnitSection[] = unit.sections.map((s) => ({ name: renamed[s.name] ?? s.name, entries: [...s.entries] }));
  const get = (name: string): UnitSection => {
    let s = sections.find((x) => x.name === name);
    if (!s) {
      s = { name, entries: [] };
      // [Unit] first, [Install] last, [Service] before [Install]
      if (name === 'Unit') sections.unshift(s);
      else {
        const inst = sections.findIndex((x) => x.name === 'Install');
        if (inst >= 0) sections.splice(inst, 0, s);
        else sections.push(s);
      }
    }
    return s;
  };
  const add = (sec: string, key: string, value: string) => get(sec).entries.push({ key, value, line: 0 });
  const set = (sec: string, key: string, value: string) => {
    const s = get(sec);
    s.entries = s.entries.filter((e) => e.key !== key);
    s.entries.push({ key, value, line: 0 });
  };
  const svcLast = (key: string) => lookupLast(unit, 'Service', key);
  const cmdline = (args: string[]) => args.map((a, i) => (i === 0 ? a : quoteUnitWord(a))).join(' ');

  // Podman 5.2+ (containers/podman#21873): the image pull and pasta/slirp4netns must not start
  // before the network is up. Put first, so the user's own Wants/After come after; a
  // [Quadlet] DefaultDependencies=false turns it off, as in later Podman.
  const dd = lookupLast(unit, 'Quadlet', 'DefaultDependencies');
  const defaultDeps = dd ? parseUnitBoolean(dd.value) : true;
  if (dd && defaultDeps === undefined) throw new UnitFileError(unit.path, dd.line, `DefaultDependencies: ${JSON.stringify(dd.value)} is not a boolean`);
  if (defaultDeps) {
    get('Unit').entries.unshift({ key: 'Wants', value: 'network-online.target', line: 0 }, { key: 'After', value: 'network-online.target', line: 0 });
  }
  if (unit.path) add('Unit', 'SourcePath', unit.path);
  add('Unit', 'RequiresMountsFor', '%t/containers');

  const containerName = lookupLast(unit, 'Container', 'ContainerName')?.value || 'systemd-%N';
  const exe = ctx.executable;
  const cid = '%t/%N.cid';

  add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  const killMode = svcLast('KillMode');
  if (killMode && killMode.value !== 'mixed' && killMode.value !== 'control-group') {
    throw new UnitFileError(unit.path, killMode.line, `invalid KillMode '${killMode.value}'`);
  }
  // mixed: SIGTERM to conmon only, which stops the container its own way; the rest get SIGKILL after
  if (!killMode) set('Service', 'KillMode', 'mixed');
  // conmon may die without removing the container: remove it on stop, and again after (ExecStop is
  // skipped when the main process is already gone); `-i` ignores a cidfile that is already gone.
  const stop = [exe, 'rm', '-v', '-f', '-i', `--cidfile=${cid}`];
  add('Service', 'ExecStop', cmdline(stop));
  add('Service', 'ExecStopPost', `-${cmdline(stop)}`);

  const run = [exe, 'run', '--name', containerName, `--cidfile=${cid}`, '--replace', '--rm'];
  add('Service', 'Delegate', 'yes');

  const wd = lookupLast(unit, 'Container', 'WorkingDir')?.value;
  if (wd) run.push('--workdir', wd);
  const host = lookupLast(unit, 'Container', 'HostName')?.value;
  if (host) run.push('--hostname', host);
  for (const e of lookupAll(unit, 'Container', 'Tmpfs')) run.push('--tmpfs', e.value);
  for (const e of lookupAll(unit, 'Container', 'Network')) run.push('--network', e.value);

  const type = svcLast('Type');
  if (type && type.value !== 'notify' && type.value !== 'oneshot') throw new UnitFileError(unit.path, type.line, `invalid service Type '${type.value}'`);
  if (type?.value !== 'oneshot') {
    // Without oneshot, systemd waits for READY=1: conmon's by default, the application's with Notify=yes.
    run.push(boolKey(unit, 'Notify') ? '--sdnotify=container' : '--sdnotify=conmon');
    set('Service', 'Type', 'notify');
    set('Service', 'NotifyAccess', 'all');
    run.push('-d');
  }
  if (!svcLast('SyslogIdentifier')) set('Service', 'SyslogIdentifier', '%N');

  for (const e of lookupAll(unit, 'Container', 'DropCapability')) for (const c of words(unit, e)) run.push('--cap-drop', c.toLowerCase());
  for (const e of lookupAll(unit, 'Container', 'AddCapability')) for (const c of words(unit, e)) run.push('--cap-add', c.toLowerCase());
  const ro = boolKey(unit, 'ReadOnly');
  if (ro !== undefined) run.push(ro ? '--read-only' : '--read-only=false');

  const user = lookupLast(unit, 'Container', 'User')?.value;
  const group = lookupLast(unit, 'Container', 'Group');
  if (group?.value && !user) throw new UnitFileError(unit.path, group.line, 'invalid Group set without User');
  if (user) run.push('--user', group?.value ? `${user}:${group.value}` : user);

  for (const e of lookupAll(unit, 'Container', 'Volume')) {
    const parts = e.value.split(':');
    if (parts.length >= 2) {
      let src = parts[0]!;
      if (src.startsWith('.')) src = fromFileDir(unit, src);
      if (src.startsWith('/')) add('Unit', 'RequiresMountsFor', src);
      run.push('-v', [src, ...parts.slice(1)].join(':'));
    } else run.push('-v', e.value);
  }
  for (const e of lookupAll(unit, 'Container', 'PublishPort')) run.push('--publish', e.value);
  for (const [key, flag] of [['Environment', '--env'], ['Label', '--label']] as const) {
    for (const e of lookupAll(unit, 'Container', key)) {
      for (const w of words(unit, e)) {
        if (!w.includes('=')) throw new UnitFileError(unit.path, e.line, `${key}: ${JSON.stringify(w)} is not KEY=VALUE`);
        run.push(flag, w);
      }
    }
  }
  for (const e of lookupAll(unit, 'Container', 'EnvironmentFile')) for (const f of words(unit, e)) run.push('--env-file', fromFileDir(unit, f));
  for (const e of lookupAll(unit, 'Container', 'PodmanArgs')) run.push(...words(unit, e));

  run.push(image);
  const exec = lookupLast(unit, 'Container', 'Exec');
  if (exec) run.push(...words(unit, exec));
  add('Service', 'ExecStart', cmdline(run));

  const installWords = (key: string) => lookupAll(unit, 'Install', key).flatMap((e) => words(unit, e));
  const header = `# Automatically generated by ${ctx.generator ?? 'tsc-ctr quadlet'}\n#\n`;
  return {
    unitName: serviceUnitName(unit.path || 'container.container'),
    text: serializeUnitFile(sections, header),
    wantedBy: installWords('WantedBy'),
    requiredBy: installWords('RequiredBy'),
  };
}
