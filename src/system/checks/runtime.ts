import { basename } from 'node:path';
import { type RuntimeProbe, installedRuntimes, probeRuntimes } from '../../runtime/probe.js';
import { cgroupsInfo } from '../cgroups.js';
import { type ProgramFacts, describePrograms, findProgram } from '../binaries.js';
import { installCommand } from './hints.js';
import { type CheckContext, type CheckResult, result } from './types.js';

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}

/**
 * The runtime lines from probe results (pure, for tests): each installed runtime that cannot
 * start a container is a warning when another one can (and will be used), a problem when none
 * can or when it is the one --runtime asked for.
 */
export function judgeRuntimes(probes: RuntimeProbe[], versions: Record<string, ProgramFacts>, opts: { preferred?: string | undefined; cgroupMode?: string }): CheckResult[] {
  if (probes.length === 0) {
    return [result('runtime', 'problem', 'no OCI runtime found on PATH (crun, runc)', installCommand('crun'))];
  }
  const preferredName = opts.preferred ? basename(opts.preferred) : undefined;
  const chosen = preferredName ? probes.find((p) => p.name === preferredName) : probes.find((p) => p.ok);
  const working = probes.find((p) => p.ok);
  return probes.map((p) => {
    const v = firstLine(versions[p.name]?.version ?? '');
    const what = `${p.path}${v ? ` (${v})` : ''}`;
    if (p.ok) {
      const use = chosen === p ? '; will be used' : '';
      return result(p.name, 'ok', `${what} starts containers here${use}`);
    }
    const base = `cannot run containers here: ${p.error}`;
    if (chosen === p) {
      const alt = working ? `use --runtime ${working.name}` : '';
      return result(p.name, 'problem', `${base} (asked for with --runtime)`, alt);
    }
    if (chosen && chosen.ok) return result(p.name, 'warning', `${base}; ${chosen.name} will be used`);
    // Nothing works: say what would.
    const others = probes.map((x) => x.name);
    const fix = !others.includes('runc') && opts.cgroupMode !== 'v2' ? installCommand('runc') : '';
    return result(p.name, 'problem', base, fix);
  });
}

/** Probe every installed runtime (and --runtime's, if it is a path elsewhere): always fresh here. */
export async function checkRuntimes(ctx: CheckContext): Promise<CheckResult[]> {
  const installed = installedRuntimes(ctx.pathEnv).map((r) => r.path);
  const wanted = [...installed];
  if (ctx.runtime) {
    const p = findProgram(ctx.runtime, ctx.pathEnv);
    if (!p) {
      return [result('runtime', 'problem', `OCI runtime "${ctx.runtime}" (from --runtime) not found`, installed.length ? `use --runtime ${basename(installed[0]!)}` : installCommand('crun'))];
    }
    if (!wanted.includes(p)) wanted.push(p);
  }
  const probes = wanted.length ? await probeRuntimes({ force: ctx.force, paths: ctx.paths, runtimes: wanted, pathEnv: ctx.pathEnv }) : [];
  const versions = describePrograms(
    probes.map((p) => p.path),
    { cacheDir: ctx.paths.runRoot, force: ctx.force, pathEnv: ctx.pathEnv },
  );
  const byName: Record<string, ProgramFacts> = {};
  for (const p of probes) if (versions[p.path]) byName[p.name] = versions[p.path]!;
  return judgeRuntimes(probes, byName, { preferred: ctx.runtime, cgroupMode: cgroupsInfo({ rootless: ctx.rootless, uid: ctx.uid }).mode });
}
