// The absolute path of our own launcher (bin/tsc-ctr), for command lines systemd will run.
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function selfExecutable(argv1: string | undefined = process.argv[1]): string {
  if (!argv1) return '/usr/bin/tsc-ctr';
  let real = argv1;
  try {
    real = realpathSync(argv1);
  } catch {}
  // bin/tsc-ctr-user-generator sits beside bin/tsc-ctr
  return basename(real) === 'tsc-ctr' ? real : join(dirname(real), 'tsc-ctr');
}
