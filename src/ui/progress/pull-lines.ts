import type { PullEvents } from '../../image/pull.js';

/** Podman's non-TTY pull output, line by line on stderr (CI logs: no escape codes). */
export function linePullEvents(write: (s: string) => void = (s) => process.stderr.write(s)): PullEvents & { begin(): void } {
  let began = false;
  return {
    begin() {
      if (!began) write('Getting image source signatures\n');
      began = true;
    },
    trying: (ref) => write(`Trying to pull ${ref}...\n`),
    layerStart(digest, _size, present) {
      if (!began) write('Getting image source signatures\n');
      began = true;
      write(present ? `Copying blob ${digest} skipped: already exists\n` : `Copying blob ${digest}\n`);
    },
    config: (digest) => write(`Copying config ${digest}\n`),
    writingManifest: () => write('Writing manifest to image destination\n'),
    warn: (m) => write(`WARN[0000] ${m}\n`),
  };
}
