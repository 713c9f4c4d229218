// CLI glue shared by `mount`, `umount`, `image mount` and `image unmount`.
import { currentUid, isRootless } from '../../config/paths.js';
import { TscCtrError } from '../../errors.js';
import { VALUED_GLOBALS } from '../../cli/value-options.js';

/** The command words as typed (`mount`, `container umount`), for Podman's error text. */
function invokedAs(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a.startsWith('-')) {
      if (VALUED_GLOBALS.has(a)) i++;
      continue;
    }
    words.push(a);
    if (a !== 'container' && a !== 'image') break;
  }
  return words;
}

/**
 * Rootless, a mount made from the host would vanish with the helper process that made it; Podman
 * asks the user to enter the namespace first, where the mount stays visible.
 */
export function requireUnshareWhenRootless(): void {
  if (isRootless() && currentUid() !== 0) {
    const path = ['tsc-ctr', ...invokedAs(process.argv.slice(2))].join(' ');
    throw new TscCtrError(`cannot run command "${path}" in rootless mode, must execute \`tsc-ctr unshare\` first`, { code: 'TSC_ERR_NEEDS_UNSHARE' });
  }
}

export interface MountListItem {
  id: string;
  names: string[];
  path: string;
}

/** `mount`/`image mount` without arguments: `ID  PATH` lines, or Podman's JSON. */
export async function printMountList(items: MountListItem[], format: string | undefined, noTrunc: boolean): Promise<void> {
  if (format) {
    const { formatItems } = await import('../../ui/format.js');
    const json = items.map((m) => ({ id: m.id, names: m.names, mountpoint: m.path }));
    const rows = items.map((m) => ({ ID: noTrunc ? m.id : m.id.slice(0, 12), Names: m.names, Path: m.path, Mountpoint: m.path }));
    process.stdout.write(formatItems(format, rows, { name: 'mount', jsonItems: json }));
    return;
  }
  for (const m of items) process.stdout.write(`${noTrunc ? m.id : m.id.slice(0, 12)}  ${m.path}\n`);
}
