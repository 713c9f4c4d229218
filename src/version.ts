// Filled in by the build (scripts/build.mjs); the fallbacks serve vitest runs from source.
declare const __TSC_CTR_VERSION__: string | undefined;
declare const __TSC_CTR_BUILT__: string | undefined;
declare const __TSC_CTR_COMMIT__: string | undefined;

export const VERSION = typeof __TSC_CTR_VERSION__ === 'string' ? __TSC_CTR_VERSION__ : '0.0.0-dev';
export const BUILT_TIME = typeof __TSC_CTR_BUILT__ === 'string' ? __TSC_CTR_BUILT__ : '';
export const GIT_COMMIT = typeof __TSC_CTR_COMMIT__ === 'string' ? __TSC_CTR_COMMIT__ : '';
