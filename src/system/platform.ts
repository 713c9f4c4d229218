/** Node's names for CPU architectures mapped to the Go/OCI names registries use. */
const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
  loong64: 'loong64',
};

export function goArch(arch: string = process.arch): string {
  return ARCH[arch] ?? arch;
}

/** The host platform in OCI terms (os, architecture, variant). */
export function hostPlatform(): { os: string; architecture: string; variant?: string } {
  const architecture = goArch();
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const v = (process.config.variables as Record<string, unknown>).arm_version;
    return { os: 'linux', architecture, variant: `v${v ?? '7'}` };
  }
  return { os: 'linux', architecture };
}
