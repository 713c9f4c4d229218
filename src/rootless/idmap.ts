/** One line of /proc/PID/uid_map: ids [containerId, containerId+size) ↔ [hostId, hostId+size). */
export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

/** A subordinate id range from /etc/subuid or /etc/subgid. */
export interface IdRange {
  start: number;
  count: number;
}

/**
 * The mappings of our user namespace, as Podman builds them: 0 is the user's own id, then the
 * subordinate ranges follow back to back from 1. Pure, so `info`, `system check` and the pause
 * process agree.
 */
export function namespaceMappings(ownId: number, ranges: IdRange[]): IdMapping[] {
  const maps: IdMapping[] = [{ containerId: 0, hostId: ownId, size: 1 }];
  let next = 1;
  for (const r of ranges) {
    if (r.count <= 0) continue;
    maps.push({ containerId: next, hostId: r.start, size: r.count });
    next += r.count;
  }
  return maps;
}

/** newuidmap/newgidmap arguments after the pid: "0 U 1 1 START COUNT ...". */
export function mapArgs(maps: IdMapping[]): string[] {
  return maps.flatMap((m) => [String(m.containerId), String(m.hostId), String(m.size)]);
}

/** The highest id usable inside the namespace (ids above it are unmapped: the overflow id). */
export function maxMappedId(maps: IdMapping[]): number {
  return maps.reduce((max, m) => Math.max(max, m.containerId + m.size - 1), -1);
}

/** Parse /proc/PID/uid_map text. */
export function parseIdMapFile(text: string): IdMapping[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isFinite(n)))
    .map(([containerId, hostId, size]) => ({ containerId: containerId!, hostId: hostId!, size: size! }));
}
