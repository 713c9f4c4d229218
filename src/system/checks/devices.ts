import { deviceAccess } from './overlay.js';
import { type CheckContext, type CheckResult, result } from './types.js';

/**
 * /dev/net/tun: pasta and slirp4netns create the container's tap device through it, so without
 * it containers get no network (a problem). /dev/fuse: only fuse-overlayfs needs it (a warning,
 * and none at all when native overlay works).
 */
export function checkTun(ctx: CheckContext): CheckResult {
  const err = deviceAccess('/dev/net/tun');
  if (err === undefined) return result('dev-tun', 'ok', '/dev/net/tun can be opened read-write');
  if (err === 'ENOENT') {
    return result('dev-tun', 'problem', '/dev/net/tun does not exist: pasta and slirp4netns need it for container networking', 'sudo modprobe tun');
  }
  return result(
    'dev-tun',
    'problem',
    `/dev/net/tun cannot be opened read-write by ${ctx.userName} (${err}): pasta and slirp4netns need it for container networking`,
    'sudo chmod 0666 /dev/net/tun',
  );
}

export function checkFuse(ctx: CheckContext, nativeOverlay: boolean): CheckResult {
  const err = deviceAccess('/dev/fuse');
  if (err === undefined) return result('dev-fuse', 'ok', '/dev/fuse can be opened read-write');
  const need = nativeOverlay ? 'only fuse-overlayfs needs it, and native overlay works' : 'fuse-overlayfs needs it';
  if (err === 'ENOENT') return result('dev-fuse', 'warning', `/dev/fuse does not exist: ${need}`, 'sudo modprobe fuse');
  return result('dev-fuse', 'warning', `/dev/fuse cannot be opened read-write by ${ctx.userName} (${err}): ${need}`, 'sudo chmod 0666 /dev/fuse');
}
