// Shared by the save/load and push tests: an image with more than the fixtures' one layer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, busyboxLayer, BUSYBOX_CONFIG, harness, pushImage } from '../harness/index.js';

/** A two-layer image with a deletion, a hard link and a file owned by 1000, pushed as Docker v2s2. */
export function buildTwoLayer(repo: string): string {
  const h = harness();
  const layout = join(mkdtempSync(join(h.runDir, 'archive-layout-')), 'layout');
  const src = buildImage(layout, 'two', {
    layers: [
      busyboxLayer,
      {
        remove: ['/etc/group'],
        files: {
          '/etc/two.txt': 'second layer\n',
          '/data/owned': { content: 'app data\n', uid: 1000, gid: 1000, mode: 0o640 },
          '/data/hard': { hardlink: '/bin/busybox' },
          '/data/empty': '',
        },
      },
    ],
    config: { ...BUSYBOX_CONFIG, labels: { 'org.tsc-ctr.fixture': 'two' } },
  });
  execFileSync('chmod', ['-R', 'a+rX', join(layout, '..')]);
  const ref = `${h.registry}/${repo}:latest`;
  pushImage(src, ref, { format: 'v2s2' });
  return ref;
}

