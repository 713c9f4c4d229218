import { currentState } from './state.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord, ContainerStateRecord } from './types.js';
import { ago, humanDuration } from '../ui/human.js';
import { TscCtrError } from '../errors.js';
import { portsText, psPorts, type PsPort } from '../net/inspect.js';
import type { NetworkState } from '../net/types.js';

/** One row of `ps`, with Podman's JSON field names (`ps --format json`). */
export interface PsJson {
  AutoRemove: boolean;
  Command: string[];
  CreatedAt: string;
  Exited: boolean;
  ExitedAt: number;
  ExitCode: number;
  Id: string;
  Image: string;
  ImageID: string;
  IsInfra: boolean;
  Labels: Record<string, string> | null;
  Mounts: string[];
  Names: string[];
  Namespaces: Record<string, string>;
  Networks: string[];
  Pid: number;
  Pod: string;
  PodName: string;
  Ports: PsPort[] | null;
  Restarts: number;
  Size: null | { rootFsSize: number; rwSize: number };
  StartedAt: number;
  State: string;
  Status: string;
  Created: number;
}

const unix = (iso: string | undefined) => (iso ? Math.floor(new Date(iso).getTime() / 1000) : 0);

/** Podman's STATUS column: `Up 5 seconds`, `Exited (3) 2 minutes ago`, `Created`. */
export function statusText(s: ContainerStateRecord, now = Date.now()): string {
  switch (s.status) {
    case 'running':
      return `Up ${s.startedAt ? humanDuration(now - Date.parse(s.startedAt)) : ''}`.trim();
    case 'exited':
      return `Exited (${s.exitCode ?? 0}) ${s.finishedAt ? ago(s.finishedAt, now) : ''}`.trim();
    case 'created':
    case 'configured':
      return 'Created';
    default:
      return s.status.charAt(0).toUpperCase() + s.status.slice(1);
  }
}

export function psJson(rec: ContainerRecord, s: ContainerStateRecord, now = Date.now(), net?: NetworkState): PsJson {
  const mounts = ((rec.createOptions as { mounts?: { destination: string }[] }).mounts ?? []).map((m) => m.destination);
  return {
    AutoRemove: rec.autoRemove,
    Command: rec.command,
    CreatedAt: ago(rec.created, now),
    Exited: s.status === 'exited',
    ExitedAt: unix(s.finishedAt),
    ExitCode: s.exitCode ?? 0,
    Id: rec.id,
    Image: rec.imageName,
    ImageID: rec.imageId,
    IsInfra: false,
    Labels: Object.keys(rec.labels).length ? rec.labels : null,
    Mounts: mounts,
    Names: [rec.name],
    Namespaces: {},
    Networks: net?.network ? [net.network] : [],
    Pid: s.status === 'running' ? (s.pid ?? 0) : 0,
    Pod: '',
    PodName: '',
    Ports: psPorts(net),
    Restarts: s.restartCount ?? 0,
    Size: null,
    StartedAt: unix(s.startedAt),
    State: s.status,
    Status: statusText(s, now),
    Created: unix(rec.created),
  };
}

/** The Go-template view of a row: Podman's method names (.ID, .Names, .Label "k", ...). */
export function psTemplateView(j: PsJson, noTrunc: boolean) {
  const cmd = j.Command.join(' ');
  return {
    ...j,
    ID: noTrunc ? j.Id : j.Id.slice(0, 12),
    Names: j.Names[0] ?? '',
    Command: !noTrunc && cmd.length > 17 ? `${cmd.slice(0, 17)}...` : cmd,
    CreatedHuman: j.CreatedAt,
    RunningFor: j.CreatedAt.replace(/ ago$/, ''),
    Ports: portsText(j.Ports),
    Mounts: j.Mounts.join(','),
    Networks: j.Networks.join(','),
    Labels: j.Labels ?? {},
    Label: (k: string) => j.Labels?.[k] ?? '',
    Restarts: j.Restarts,
    Size: '',
  };
}

export interface PsFilters {
  status?: string[];
  name?: string[];
  id?: string[];
  ancestor?: string[];
  label?: string[];
}

export function parsePsFilters(list: string[]): PsFilters {
  const f: PsFilters = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i < 0) throw new TscCtrError(`invalid filter "${item}": expected key=value`, { code: 'TSC_ERR_USAGE' });
    const k = item.slice(0, i) as keyof PsFilters;
    if (!['status', 'name', 'id', 'ancestor', 'label'].includes(k)) throw new TscCtrError(`invalid filter "${k}"`, { code: 'TSC_ERR_USAGE' });
    (f[k] ??= []).push(item.slice(i + 1));
  }
  return f;
}

function matches(rec: ContainerRecord, s: ContainerStateRecord, f: PsFilters): boolean {
  if (f.status && !f.status.includes(s.status)) return false;
  if (f.name && !f.name.some((n) => new RegExp(n).test(rec.name))) return false;
  if (f.id && !f.id.some((p) => rec.id.startsWith(p))) return false;
  if (f.ancestor && !f.ancestor.some((a) => rec.imageName === a || rec.imageId.startsWith(a) || rec.imageName.split('/').pop()?.split(':')[0] === a.split(':')[0])) return false;
  if (f.label) {
    for (const l of f.label) {
      const [k, v] = l.split('=', 2) as [string, string | undefined];
      if (!(k in rec.labels) || (v !== undefined && rec.labels[k] !== v)) return false;
    }
  }
  return true;
}

/** `ps`: from container.json files and exit files only, never one runtime call per container. */
export function listContainers(ctx: ContainerContext, opts: { all?: boolean; filters?: PsFilters; last?: number } = {}): { rec: ContainerRecord; state: ContainerStateRecord }[] {
  let rows = ctx.containers
    .list()
    .map((rec) => ({ rec, state: currentState(ctx.containers, rec) }))
    .filter(({ rec, state }) => (opts.all || state.status === 'running') && matches(rec, state, opts.filters ?? {}))
    .sort((a, b) => b.rec.created.localeCompare(a.rec.created));
  if (opts.last !== undefined && opts.last >= 0) rows = rows.slice(0, opts.last);
  return rows;
}
