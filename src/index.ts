/**
 * tsc-ctr as a library: everything the CLI does is available to TypeScript programs from here.
 */
export * from './errors.js';
export { resolvePaths, isRootless, hostUid, type StorePaths, type PathOverrides } from './config/paths.js';
export { versionInfo, type VersionInfo } from './system/version.js';
export { hostPlatform, goArch } from './system/platform.js';
