// `generate systemd` for one stored container: gathers what the pure generator needs.
import type { ContainerContext } from '../container/context.js';
import { containerFiles } from '../container/start.js';
import type { ContainerRecord } from '../container/types.js';
import { VERSION } from '../version.js';
import { generateContainerUnit, type GeneratedUnit, type GenerateOptions, unixDate } from './generate.js';
import { selfExecutable } from './self.js';

function envList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`);
  return [];
}

export async function generateForContainer(ctx: ContainerContext, rec: ContainerRecord, o: GenerateOptions): Promise<GeneratedUnit> {
  const { valueOptions } = await import('../cli/value-options.js');
  const runDef = (await import('../commands/container/run.js')).default as unknown as import('../commands/_shared/types.js').CommandDef;
  const valued = valueOptions(runDef);
  return generateContainerUnit(
    {
      id: rec.id,
      name: rec.name,
      stopTimeout: rec.stopTimeout,
      createCommand: rec.createCommand,
      conmonPidFile: containerFiles(ctx, rec.id).conmonPid,
      runRoot: ctx.paths.runRoot,
      restartPolicy: rec.restartPolicy?.name,
      env: envList((rec.createOptions as { env?: unknown }).env),
    },
    o,
    { executable: selfExecutable(), version: VERSION, timestamp: o.noHeader ? undefined : unixDate(new Date()), takesValue: (n) => valued.has(n) },
  );
}
