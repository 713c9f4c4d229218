// `generate systemd`: a container record → a systemd service unit in the shape Podman writes
// (pkg/systemd/generate/containers.go). Pure: the caller supplies the executable, the version,
// the time and how to tell flags that take a value.
import { UsageError } from '../errors.js';
import { escapeSystemdArg } from './escape.js';

/** Policies systemd's Restart= accepts (the ones --restart-policy may name). */
export const SYSTEMD_RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'];

/** Stop timeouts below this would let systemd kill the unit before the container's own timeout. */
const MIN_TIMEOUT_STOP_SEC = 60;

export interface GenerateContainer {
  id: string;
  name: string;
  stopTimeout: number;
  /** The command line that created the container (argv, the program first); absent for others. */
  createCommand?: string[] | undefined;
  /** conmon's pid file (units without --new: Type=forking). */
  conmonPidFile: string;
  runRoot: string;
  /** The name of the container's `--restart` policy (`no`, `on-failure`, ...), or undefined. */
  restartPolicy?: string | undefined;
  /** The container's environment (K=V), for `-e K` in the create command. */
  env?: string[] | undefined;
}

export interface GenerateOptions {
  new?: boolean | undefined;
  /** Use the container's name instead of its id. */
  name?: boolean | undefined;
  restartPolicy?: string | undefined;
  restartSec?: number | undefined;
  containerPrefix?: string | undefined;
  separator?: string | undefined;
  stopTimeout?: number | undefined;
  noHeader?: boolean | undefined;
  /** A template unit (`NAME@.service`): the container is named `NAME-%i`; implies --new. */
  template?: boolean | undefined;
  /** TimeoutStartSec=; 0 or undefined leaves systemd's default. */
  startTimeout?: number | undefined;
  /** User-defined dependencies for [Unit], each list joined into one line as Podman writes them. */
  wants?: string[] | undefined;
  after?: string[] | undefined;
  requires?: string[] | undefined;
}

export interface GenerateContext {
  /** Absolute path of our binary. */
  executable: string;
  version: string;
  /** The header's time stamp (Go's time.UnixDate layout in Podman); undefined leaves it out. */
  timestamp?: string | undefined;
  /** Whether `--flag` (long or short, without dashes) of `run` takes a value. */
  takesValue: (name: string) => boolean;
}

export interface GeneratedUnit {
  /** Without `.service` (and without the `@` of a template). */
  serviceName: string;
  /** The file name systemd needs: `NAME.service`, or `NAME@.service` for a template. */
  fileName: string;
  text: string;
  /** Warnings for the user (stderr), as Podman logs them. */
  warnings: string[];
}

export function serviceNameFor(c: GenerateContainer, o: GenerateOptions): { nameOrId: string; serviceName: string } {
  const nameOrId = o.name ? c.name : c.id;
  const prefix = o.containerPrefix ?? 'container';
  return { nameOrId, serviceName: prefix ? `${prefix}${o.separator ?? '-'}${nameOrId}` : nameOrId };
}

/** `flag` → its name without dashes and value (`--name=x` → name). */
function flagName(arg: string): string {
  return arg.replace(/^--?/, '').split('=')[0]!;
}

interface ScannedFlags {
  /** Index in `args` where the positionals (image, command) start. */
  positionalAt: number;
  has: Map<string, string | boolean>;
}

/** Find where the image starts and which of the flags Podman looks at were given. */
function scanRunFlags(args: string[], takesValue: (name: string) => boolean): ScannedFlags {
  const has = new Map<string, string | boolean>();
  const canon: Record<string, string> = { d: 'detach', e: 'env' };
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const long = a.startsWith('--');
    if (!long && a.length > 2 && !a.includes('=')) {
      // bundled short flags (-dit): only the last may take a value
      const letters = a.slice(1).split('');
      for (const l of letters) if (canon[l]) has.set(canon[l]!, true);
      if (takesValue(letters[letters.length - 1]!)) i++;
      continue;
    }
    const name = flagName(a);
    const key = canon[name] ?? name;
    let value: string | boolean = true;
    if (a.includes('=')) value = a.slice(a.indexOf('=') + 1);
    else if (takesValue(name)) value = args[++i] ?? '';
    if (key === 'env') has.set('env', [has.get('env') ?? '', String(value)].filter(Boolean).join('\0'));
    else has.set(key, value);
  }
  return { positionalAt: i, has };
}

/** Drop the flags the unit sets itself (--rm, --cgroups, --cidfile, --restart) and `drop` ones, values included. */
function filterFlags(flags: string[], takesValue: (name: string) => boolean, drop: (a: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const a = flags[i]!;
    const name = a.startsWith('--') ? flagName(a) : a.slice(-1);
    const valueNext = a.startsWith('-') && !a.includes('=') && takesValue(name) && i + 1 < flags.length;
    const remove = (a.startsWith('--') && ['rm', 'cgroups', 'cidfile', 'restart'].includes(name)) || drop(a);
    if (!remove) out.push(a, ...(valueNext ? [flags[i + 1]!] : []));
    if (valueNext) i++;
  }
  return out;
}

/** Podman's layout: a new continuation line before each option. */
function formatOptions(words: string[]): string {
  if (words.length === 0) return '';
  let s = words[0]!;
  for (const w of words.slice(1)) s += w.startsWith('-') ? ` \\\n\t${w}` : ` ${w}`;
  return s;
}

export function generateContainerUnit(c: GenerateContainer, o: GenerateOptions, ctx: GenerateContext): GeneratedUnit {
  let restartPolicy = 'on-failure';
  if (o.restartPolicy !== undefined) {
    if (!SYSTEMD_RESTART_POLICIES.includes(o.restartPolicy)) throw new UsageError(`${o.restartPolicy} is not a valid restart policy`);
    restartPolicy = o.restartPolicy;
  }
  if (o.template && o.new === false) throw new UsageError('--template cannot be set with --new=false');
  // A template unit only makes sense for a container created per instance.
  if (o.template) o = { ...o, new: true };
  const warnings: string[] = [];
  if (!o.new && c.restartPolicy && c.restartPolicy !== 'no') {
    warnings.push(
      `Container ${c.id} has restart policy "${c.restartPolicy}" which can lead to issues on shutdown: consider recreating the container without a restart policy and use systemd's restart mechanism instead`,
    );
  }
  const stopTimeout = o.stopTimeout ?? c.stopTimeout;
  const { nameOrId, serviceName } = serviceNameFor(c, o);
  const exe = ctx.executable;
  let type = 'forking';
  let notifyAccess: string | undefined;
  let pidFile: string | undefined = c.conmonPidFile;
  let startLimitBurst: string | undefined;
  const extraEnv: string[] = [];
  let execStart = `${exe} start ${nameOrId}`;
  let execStop = formatOptions([exe, 'stop', '-t', String(stopTimeout), nameOrId]);
  let execStopPost = execStop;
  const runRoot = o.new ? '%t/tsc-ctr' : c.runRoot;

  if (o.new) {
    const cmd = c.createCommand;
    if (!cmd) throw new UsageError(`cannot use --new on container "${c.id}": no create command found: only works on containers created directly with tsc-ctr`);
    const at = cmd.findIndex((a, i) => i > 0 && (a === 'run' || a === 'create'));
    if (at < 1) throw new UsageError(`container's create command is too short or invalid: [${cmd.join(' ')}]`);
    type = 'notify';
    notifyAccess = 'all';
    pidFile = undefined;
    const cid = '%t/%n.ctr-id';
    // Root flags (--root, --runroot, ...) stay before each command, as given: one store for all.
    const root = cmd.slice(1, at).map(escapeSystemdArg);
    // `--ignore -t N` shares a line in Podman's layout
    const ignoreT = `--ignore -t ${stopTimeout}`;
    execStop = formatOptions([exe, ...root, 'stop', ignoreT, `--cidfile=${cid}`]);
    execStopPost = formatOptions([exe, ...root, 'rm', '-f', ignoreT, `--cidfile=${cid}`]);
    // The user's words are escaped (systemd must not expand their `%` and `$`); ours are not.
    const start = [exe, ...root, 'run', `--cidfile=${cid}`, '--rm'];
    const rest = cmd.slice(at + 1);
    const scan = scanRunFlags(rest, ctx.takesValue);
    const flags = rest.slice(0, scan.positionalAt);
    const positional = rest.slice(scan.positionalAt);
    const sdnotify = scan.has.get('sdnotify');
    const detach = scan.has.get('detach');
    const replace = scan.has.get('replace');
    const kept = filterFlags(flags, ctx.takesValue, (a) => {
      if (sdnotify === 'ignore' && (a === '--sdnotify' || a.startsWith('--sdnotify='))) return true; // Type=notify needs a READY
      if (detach !== undefined && detach !== true && (a === '-d=false' || a === '--detach=false')) return true;
      if (replace !== undefined && replace !== true && a === '--replace=false') return true;
      return false;
    });
    if (sdnotify === undefined || sdnotify === 'ignore') start.push('--sdnotify=conmon');
    if (detach !== true && detach !== 'true') start.push('-d');
    if (scan.has.has('name') && replace !== true && replace !== 'true') start.push('--replace');
    if (o.restartPolicy === undefined) {
      const r = scan.has.get('restart');
      if (typeof r === 'string' && r !== '') {
        if (r.startsWith('on-failure:')) {
          restartPolicy = 'on-failure';
          startLimitBurst = r.split(':')[1];
        } else restartPolicy = r === 'unless-stopped' ? 'always' : r;
      }
    }
    // `-e NAME` takes NAME from the environment of whoever runs the command: systemd must set it.
    for (const e of String(scan.has.get('env') ?? '').split('\0').filter(Boolean)) {
      if (e.includes('=')) continue;
      for (const ce of c.env ?? []) if (ce.split('=')[0] === e) extraEnv.push(escapeSystemdArg(ce));
    }
    const flagWords = kept.map(escapeSystemdArg);
    if (o.template) {
      // Each instance gets its own container: `--name X` becomes `X-%i`, or one is made up.
      const at = flagWords.findIndex((a) => a === '--name' || a.startsWith('--name='));
      if (at < 0) start.splice(start.indexOf('run') + 1, 0, `--name=${serviceName}-%i`);
      else if (flagWords[at] === '--name') flagWords[at + 1] = `${flagWords[at + 1] ?? ''}-%i`;
      else flagWords[at] = `${flagWords[at]}-%i`;
    }
    execStart = formatOptions([...start, ...flagWords, ...positional.map(escapeSystemdArg)]);
  }

  const atSign = o.template ? '@' : '';
  const lines: string[] = [`# ${serviceName}${atSign}.service`];
  if (!o.noHeader) {
    lines.push(`# autogenerated by tsc-ctr ${ctx.version}`);
    if (ctx.timestamp) lines.push(`# ${ctx.timestamp}`);
  }
  lines.push(
    '',
    '[Unit]',
    `Description=tsc-ctr ${serviceName}.service${o.template ? ' for %I' : ''}`,
    'Documentation=man:tsc-ctr-generate-systemd(1)',
    'Wants=network-online.target',
    'After=network-online.target',
    `RequiresMountsFor=${runRoot}`,
  );
  const deps = (['Wants', 'After', 'Requires'] as const).map((k) => [k, o[k.toLowerCase() as 'wants' | 'after' | 'requires'] ?? []] as const);
  if (deps.some(([, v]) => v.length)) lines.push('', '# User-defined dependencies');
  for (const [k, v] of deps) if (v.length) lines.push(`${k}=${v.join(' ')}`);
  lines.push('', '[Service]', `Environment=PODMAN_SYSTEMD_UNIT=%n${o.template ? '-%i' : ''}`);
  if (extraEnv.length) lines.push(`Environment=${extraEnv.join(' ')}`);
  lines.push(`Restart=${restartPolicy}`);
  if (o.restartSec) lines.push(`RestartSec=${o.restartSec}`);
  if (startLimitBurst) lines.push(`StartLimitBurst=${startLimitBurst}`);
  if (o.startTimeout) lines.push(`TimeoutStartSec=${o.startTimeout}`);
  lines.push(`TimeoutStopSec=${MIN_TIMEOUT_STOP_SEC + stopTimeout}`, `ExecStart=${execStart}`, `ExecStop=${execStop}`, `ExecStopPost=${execStopPost}`);
  if (pidFile) lines.push(`PIDFile=${pidFile}`);
  lines.push(`Type=${type}`);
  if (notifyAccess) lines.push(`NotifyAccess=${notifyAccess}`);
  lines.push('', '[Install]', 'WantedBy=default.target', '');
  return { serviceName, fileName: `${serviceName}${atSign}.service`, text: lines.join('\n'), warnings };
}

/** Go's time.UnixDate layout ("Mon Jan  2 15:04:05 MST 2006"), in UTC. */
export function unixDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
