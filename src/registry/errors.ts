import { TscCtrError } from '../errors.js';

/** An error answer from a registry, with the distribution error code when it sent one. */
export class RegistryError extends TscCtrError {
  readonly status: number;
  readonly registryCode: string | undefined;
  constructor(message: string, status: number, registryCode?: string) {
    super(message, { code: registryCode ? `TSC_ERR_REGISTRY_${registryCode}` : 'TSC_ERR_REGISTRY' });
    this.status = status;
    this.registryCode = registryCode;
  }
}

export class AuthError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_AUTH' });
  }
}

/** `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}` → "manifest unknown: ..." */
export function describeRegistryBody(body: string): { code?: string; text: string } {
  try {
    const j = JSON.parse(body) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    const e = j.errors?.[0];
    if (e) {
      const code = e.code;
      const words = code ? code.toLowerCase().replace(/_/g, ' ') : 'error';
      const msg = e.message && e.message.toLowerCase() !== words ? `: ${e.message}` : '';
      return { code, text: `${words}${msg}` };
    }
  } catch {
    /* not JSON */
  }
  const text = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  return { text };
}
