import { watch } from 'node:fs';
import { dirname, basename } from 'node:path';
import type { ContainerContext } from './context.js';
import { currentState } from './state.js';

/**
 * Wait until the container is no longer running and return its exit code. Watches the exits
 * directory (conmon writes `<id>` there) with a polling fallback; a dead conmon ends the wait.
 */
export function waitForExit(ctx: ContainerContext, id: string, pollMs = 100): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    let watcher: ReturnType<typeof watch> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      if (done) return;
      const rec = ctx.containers.read(id);
      if (!rec) return finish(-1);
      const s = currentState(ctx.containers, rec);
      if (s.status !== 'running' && s.status !== 'stopping') finish(s.exitCode ?? 0);
    };
    const finish = (code: number) => {
      done = true;
      watcher?.close();
      if (timer) clearInterval(timer);
      resolve(code);
    };
    const exitFile = ctx.containers.exitFile(id);
    try {
      watcher = watch(dirname(exitFile), (_e, name) => {
        if (!name || name === basename(exitFile)) check();
      });
    } catch {
      /* no exits dir yet: polling covers it */
    }
    timer = setInterval(check, pollMs);
    check();
  });
}
