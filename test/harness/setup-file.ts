/**
 * Runs in every integration test file (vitest setupFiles): after the file, remove the stores it
 * made with newStorage(), with their pause processes, containers and mounts, so files do not
 * leave work for each other.
 */
import { afterAll } from 'vitest';
import { disposeAllStorages } from './index.js';

afterAll(async () => {
  await disposeAllStorages();
}, 60_000);
