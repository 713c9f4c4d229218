import { BUILT_TIME, GIT_COMMIT, VERSION } from '../version.js';
import { goArch } from './platform.js';

/** `version --format json` shape: Podman's `Client` object, GoVersion replaced by NodeVersion. */
export interface VersionInfo {
  Client: {
    APIVersion: string;
    Version: string;
    NodeVersion: string;
    GitCommit: string;
    BuiltTime: string;
    Built: number;
    OsArch: string;
    Os: string;
  };
}

export function versionInfo(): VersionInfo {
  const built = BUILT_TIME ? new Date(BUILT_TIME) : undefined;
  const os = process.platform;
  return {
    Client: {
      APIVersion: VERSION,
      Version: VERSION,
      NodeVersion: process.version,
      GitCommit: GIT_COMMIT,
      // Podman prints Go's time.ANSIC layout: "Mon Jan _2 15:04:05 2006".
      BuiltTime: built ? ansic(built) : ansic(new Date(0)),
      Built: built ? Math.floor(built.getTime() / 1000) : 0,
      OsArch: `${os}/${goArch()}`,
      Os: os,
    },
  };
}

function ansic(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}
