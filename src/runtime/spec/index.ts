/** OCI runtime-spec generation: CLI options → validated container config → config.json. */
export * from './types.js';
export * from './options.js';
export * from './mount-flags.js';
export * from './mounts.js';
export * from './process.js';
export * from './security.js';
export * from './seccomp.js';
export * from './namespaces.js';
export * from './generate.js';
export * from './host.js';
