import { readImages } from '../../storage/images.js';
import type { ImageRecord } from '../../storage/types.js';
import { totalIds } from '../../rootless/subid.js';
import { pausePidFile } from '../../rootless/pause.js';
import { addRangeFix, type SubIdFacts } from './subids.js';
import { type CheckContext, type CheckResult, result, skippedRootful } from './types.js';

const OVERFLOW_ID = 65534;

function imageName(img: ImageRecord): string {
  return img.names[0] ?? img.id.slice(0, 12);
}

/**
 * Images pulled with files owned by ids the user namespace does not map (Podman fails such pulls
 * with "potentially insufficient UIDs or GIDs available in user namespace"; we give those files
 * the overflow id and record it). The fix widens the subordinate range up to the highest such id;
 * the namespace only picks it up once the pause process is gone, then the image is pulled again.
 */
export function judgeImageIds(ctx: Pick<CheckContext, 'userName' | 'uid' | 'gid' | 'paths'>, images: ImageRecord[], u: SubIdFacts, g: SubIdFacts): CheckResult {
  // the namespace maps 0 (you) plus one id per subordinate id
  const mapped = Math.min(totalIds(u.mine), totalIds(g.mine));
  const hit = images.filter((i) => i.unmappedIds && i.unmappedIds.files > 0);
  if (!hit.length) return result('image-ids', 'ok', `no stored image has files owned by ids beyond the ${mapped} your user namespace maps (0-${mapped})`);
  const files = hit.reduce((n, i) => n + i.unmappedIds!.files, 0);
  const maxId = Math.max(...hit.map((i) => i.unmappedIds!.maxId));
  const names = hit.map(imageName);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  const taken = [...u.all, ...g.all];
  const widen = addRangeFix(ctx.userName, ['uid', 'gid'], taken, [ctx.uid, ctx.gid], Math.max(1, maxId - mapped));
  const again = names.slice(0, 3).map((n) => `tsc-ctr rmi ${n}; tsc-ctr pull ${n}`).join('; ');
  return result(
    'image-ids',
    'warning',
    `${files} file(s) of ${shown} are owned by ids up to ${maxId}, beyond the ids 0-${mapped} your user namespace maps: they were given the overflow id ${OVERFLOW_ID}; widen your subordinate range, stop your containers and the pause process, and pull again`,
    `${widen}; kill $(cat ${pausePidFile(ctx.paths.runRoot)}); ${again}`,
  );
}

export function checkImageIds(ctx: CheckContext, u: SubIdFacts, g: SubIdFacts): CheckResult {
  if (!ctx.rootless) return skippedRootful('image-ids');
  let images: ImageRecord[];
  try {
    images = readImages(ctx.paths.storageRoot);
  } catch (err) {
    return result('image-ids', 'warning', `cannot read the image records in ${ctx.paths.storageRoot}: ${(err as Error).message}`);
  }
  return judgeImageIds(ctx, images, u, g);
}
