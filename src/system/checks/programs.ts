import { type ProgramFacts, describePrograms, findProgram, parseVersion, versionAtLeast } from '../binaries.js';
import { installCommand } from './hints.js';
import { type CheckContext, type CheckResult, result } from './types.js';

/** The rootless network helper used when the user does not pick one. */
export function defaultNetworkHelper(pathEnv: string | undefined = process.env.PATH): 'pasta' | 'slirp4netns' | undefined {
  if (findProgram('pasta', pathEnv)) return 'pasta';
  if (findProgram('slirp4netns', pathEnv)) return 'slirp4netns';
  return undefined;
}

function oneLine(v: string): string {
  return v.split('\n')[0] ?? '';
}

/** First line of `--version`; the package version too when that line has no number (Debian's pasta). */
function versionText(f: ProgramFacts): string {
  const v = oneLine(f.version);
  if (/\d/.test(v)) return v;
  const pkg = f.package && f.package !== 'Unknown' ? `package ${f.package}` : '';
  return [v || 'version unknown', pkg].filter(Boolean).join(', ');
}

/** unshare and nsenter hold and enter the user namespace; mount mounts overlay inside it. */
export function checkUtilLinux(ctx: CheckContext): CheckResult {
  const names = ['unshare', 'nsenter', 'mount'];
  const found = names.map((n) => [n, findProgram(n, ctx.pathEnv)] as const);
  const missing = found.filter(([, p]) => !p).map(([n]) => n);
  if (missing.length) return result('util-linux', 'problem', `${missing.join(', ')} not found on PATH`, installCommand('util-linux'));
  return result('util-linux', 'ok', found.map(([, p]) => p).join(', '));
}

export function checkConmon(ctx: CheckContext, facts: Record<string, ProgramFacts>): CheckResult {
  const c = facts.conmon;
  if (!c) return result('conmon', 'problem', 'conmon not found on PATH: it monitors every container', installCommand('conmon'));
  const v = parseVersion(c.version);
  if (!v) return result('conmon', 'problem', `${c.path}: cannot read its version (\`conmon --version\` printed ${JSON.stringify(oneLine(c.version))})`, installCommand('conmon'));
  if (!versionAtLeast(v, [2, 0, 0])) {
    return result('conmon', 'problem', `${c.path} is version ${v.join('.')}: 2.0 or newer is needed`, installCommand('conmon'));
  }
  return result('conmon', 'ok', `${c.path} (${oneLine(c.version)})`);
}

/** pasta and slirp4netns: one is enough; the missing one is a warning (that --network mode is unavailable). */
export function checkNetworkHelpers(ctx: CheckContext, facts: Record<string, ProgramFacts>): CheckResult[] {
  const pkg = { pasta: 'passt', slirp4netns: 'slirp4netns' } as const;
  const def = facts.pasta ? 'pasta' : facts.slirp4netns ? 'slirp4netns' : undefined;
  return (['pasta', 'slirp4netns'] as const).map((name) => {
    const f = facts[name];
    if (f) return result(name, 'ok', `${f.path} (${versionText(f)})${def === name ? '; the default network helper' : ''}`);
    if (def) return result(name, 'warning', `${name} not found on PATH: --network ${name} is not available (${def} works)`, installCommand(pkg[name]));
    return result(name, 'problem', `${name} not found on PATH, nor ${name === 'pasta' ? 'slirp4netns' : 'pasta'}: containers need one of them for networking`, installCommand(pkg[name]));
  });
}

export function checkCatatonit(ctx: CheckContext, facts: Record<string, ProgramFacts>): CheckResult {
  const f = facts.catatonit;
  if (!f) return result('catatonit', 'warning', 'catatonit not found: --init is not available, and the pause process is a plain `sleep`', installCommand('catatonit'));
  return result('catatonit', 'ok', `${f.path} (${oneLine(f.version)})`);
}

export function helperFacts(ctx: CheckContext): Record<string, ProgramFacts> {
  return describePrograms(['conmon', 'pasta', 'slirp4netns', 'catatonit'], { cacheDir: ctx.paths.runRoot, force: ctx.force, pathEnv: ctx.pathEnv });
}
