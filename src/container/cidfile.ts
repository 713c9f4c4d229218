import { readFileSync, rmSync } from 'node:fs';
import type { ContainerRecord } from './types.js';

/**
 * Removing a container removes its --cidfile (Podman does), so a unit's next `run --cidfile`
 * does not fail on a leftover. Only a file that still names this container: a newer
 * container may have taken the path over.
 */
export function removeCidFile(rec: ContainerRecord): void {
  if (!rec.cidFile) return;
  try {
    if (readFileSync(rec.cidFile, 'utf8').trim() === rec.id) rmSync(rec.cidFile, { force: true });
  } catch {
    // already gone, or not ours to read: nothing to do
  }
}
