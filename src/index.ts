/**
 * tsc-ctr as a library: everything the CLI does is available to TypeScript programs from here.
 */
export * from './errors.js';
export { resolvePaths, isRootless, hostUid, type StorePaths, type PathOverrides } from './config/paths.js';
export { versionInfo, type VersionInfo } from './system/version.js';
export { hostPlatform, goArch } from './system/platform.js';
export { runChecks, checksExitCode, renderChecks, type CheckResult, type CheckStatus, type CheckOptions } from './system/checks/index.js';
export { systemInfo, type Info, type InfoOptions } from './system/info.js';
export { probeRuntimes, chooseRuntime, type RuntimeProbe, type ChosenRuntime } from './runtime/probe.js';
export { chooseStorageDriver, probeOverlay, type StorageChoice, type OverlayProbe, type StorageDriver } from './system/checks/overlay.js';
export { findProgram, describePrograms, type ProgramFacts } from './system/binaries.js';
export { cgroupsInfo, type CgroupsInfo, type CgroupMode } from './system/cgroups.js';
export { parseSubIdFile, readSubIdRanges, suggestFreeRange, type SubIdEntry } from './rootless/subid.js';
export {
  parseReference,
  parseNormalizedReference,
  parseReferenceAllowShort,
  isShortName,
  formatReference,
  familiarName,
  referenceName,
  withDefaultTag,
  trimReference,
  InvalidReferenceError,
  type ImageReference,
} from './registry/reference.js';
export {
  loadRegistriesConf,
  registriesConfPaths,
  findRegistry,
  pullSources,
  isInsecureRegistry,
  RegistriesConfError,
  RegistryBlockedError,
  type RegistriesConf,
  type RegistryConfig,
  type MirrorConfig,
  type PullSource,
  type ShortNameMode,
} from './registry/registries-conf.js';
export {
  resolveShortName,
  localCandidates,
  recordShortNameAlias,
  removeShortNameAlias,
  promptForImage,
  ShortNameError,
  type ShortNameResolution,
} from './registry/shortnames.js';
export {
  lookupCredentials,
  credentialsForReference,
  setCredentials,
  removeCredentials,
  removeAllCredentials,
  defaultAuthFile,
  authFilePaths,
  normalizeAuthKey,
  parseCreds,
  AuthFileError,
  type AuthFileOptions,
} from './registry/auth-file.js';
export { serializeSpec, OCI_VERSION, RLIM_INFINITY, type Spec as RuntimeSpec } from './oci/runtime.js';
export {
  prepareCreateOptions,
  generateSpec,
  requiredVolumes,
  resolveCommand,
  readHostBasics,
  readAvailableGids,
  readSeccompProfile,
  readSourceMountFlags,
  bindSources,
  type ContainerCreateOptions,
  type ContainerConfig,
  type HostFacts,
  type SpecInput,
  type GeneratedSpec,
} from './runtime/spec/index.js';
export { readContainerUserFiles, readFileInRoot, resolveUser, type ExecUser, type UserFiles } from './runtime/passwd.js';
export {
  Store,
  ImageInUseError,
  StoreConsistencyError,
  diskUsageSummary,
  rmiExitCode,
  type StoreOptions,
  type StoreLocation,
  type DfSummaryRow,
} from './storage/store.js';
export { ImageNotKnownError, AmbiguousImageError, CorruptStoreError, lookupImage, normalizeTagName, repoTags, repoDigests, isDangling, type ImageMatch } from './storage/images.js';
export { withStorageLock, holdsStorageLock } from './storage/lock.js';
export type * from './storage/types.js';
export { listImageRows, compileImageFilters, type ImageRow, type ImageSummaryJson, type ListImagesOptions } from './image/list.js';
export { inspectImage, imageProblems, describeProblems, type ImageInspect } from './image/inspect.js';
// Syscall bindings (koffi is loaded on the first call, not on import).
export * from './native/index.js';
// --format: Go templates with Podman's rules, JSON as Go writes it, tabwriter tables.
export {
  formatItems,
  formatOne,
  compileTemplate,
  isJsonFormat,
  normalizeFormat,
  renderTable,
  tabwrite,
  asGoMap,
  asGoStruct,
  TemplateError,
  type FormatOptions,
} from './ui/format.js';
// Images made here: import (a rootfs tarball), commit (a container's upper dir as a layer).
export { parseChange, parseChanges, applyChanges, type Change } from './image/changes.js';
export { importImage, type ImportOptions, type ImportResult } from './image/import.js';
export { commitContainer, type CommitOptions, type CommitResult } from './image/commit.js';
export { upperDiffTar, upperEntries, type UpperDiffOptions } from './storage/diff/upper.js';
export { entryHeader, type TarEntry as LayerTarEntry } from './storage/diff/tar-writer.js';
