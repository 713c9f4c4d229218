import { type OsRelease, readOsRelease } from '../host.js';

/** Packages the checks may ask for, by their Debian names. */
export type HelperPackage = 'uidmap' | 'util-linux' | 'conmon' | 'crun' | 'runc' | 'passt' | 'slirp4netns' | 'fuse-overlayfs' | 'catatonit';

type Manager = 'apt' | 'dnf' | 'zypper' | 'pacman' | 'apk';

const COMMAND: Record<Manager, string> = {
  apt: 'sudo apt-get install',
  dnf: 'sudo dnf install',
  zypper: 'sudo zypper install',
  pacman: 'sudo pacman -S',
  apk: 'sudo apk add',
};

/** Where a distribution names a package differently from Debian. */
const RENAMED: Partial<Record<Manager, Partial<Record<HelperPackage, string>>>> = {
  dnf: { uidmap: 'shadow-utils' },
  zypper: { uidmap: 'shadow' },
  pacman: { uidmap: 'shadow' },
  apk: { uidmap: 'shadow-uidmap' },
};

export function packageManager(os: OsRelease): Manager | undefined {
  for (const id of [os.id, ...os.idLike]) {
    if (['debian', 'ubuntu', 'linuxmint', 'pop', 'raspbian'].includes(id)) return 'apt';
    if (['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'amzn', 'ol'].includes(id)) return 'dnf';
    if (id.startsWith('opensuse') || id === 'suse' || id === 'sles') return 'zypper';
    if (id === 'arch' || id === 'manjaro') return 'pacman';
    if (id === 'alpine') return 'apk';
  }
  return undefined;
}

/** The distribution's name for a package. */
export function packageName(pkg: HelperPackage, os: OsRelease = readOsRelease()): string {
  const m = packageManager(os);
  return (m && RENAMED[m]?.[pkg]) || pkg;
}

/** `sudo apt-get install uidmap`, or words when the package manager is unknown. */
export function installCommand(pkgs: HelperPackage | HelperPackage[], os: OsRelease = readOsRelease()): string {
  const list = (Array.isArray(pkgs) ? pkgs : [pkgs]).map((p) => packageName(p, os));
  const m = packageManager(os);
  if (!m) return `install ${list.join(' and ')} with your distribution's package manager`;
  return `${COMMAND[m]} ${list.join(' ')}`;
}
