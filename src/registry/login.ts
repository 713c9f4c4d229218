import { TscCtrError } from '../errors.js';
import { defaultAuthFile, normalizeAuthKey, removeAllCredentials, removeCredentials, setCredentials } from './auth-file.js';
import { RegistryClient } from './client.js';
import { AuthError } from './errors.js';
import { isInsecureRegistry, loadRegistriesConf } from './registries-conf.js';

export interface LoginOptions {
  username: string;
  password: string;
  authfile?: string | undefined;
  tlsVerify?: boolean | undefined;
  certDir?: string | undefined;
}

/**
 * `login`: check the credentials against the registry (GET /v2/ with the challenge's auth),
 * then store them (auth.json, mode 0600, other entries kept). Returns the file written.
 */
export async function login(server: string, o: LoginOptions): Promise<string> {
  const key = normalizeAuthKey(server, { acceptRepositories: true });
  const registry = key.split('/')[0]!;
  const conf = await loadRegistriesConf();
  const insecure = o.tlsVerify === undefined ? isInsecureRegistry(conf, registry) : !o.tlsVerify;
  const client = new RegistryClient(registry, { insecure, certDir: o.certDir, credentials: { username: o.username, password: o.password }, maxRetries: 1 });
  try {
    await client.ping(key.includes('/') ? key.slice(registry.length + 1) : '');
  } catch (err) {
    if (err instanceof AuthError) throw new TscCtrError(`logging into "${key}": invalid username/password`, { code: 'TSC_ERR_AUTH' });
    throw new TscCtrError(`authenticating creds for "${key}": ${(err as Error).message}`, { code: 'TSC_ERR_AUTH' });
  } finally {
    await client.close();
  }
  return setCredentials(o.authfile ?? defaultAuthFile(), key, o.username, o.password);
}

/** `logout SERVER` / `logout --all`. */
export async function logout(server: string | undefined, o: { authfile?: string | undefined; all?: boolean }): Promise<string> {
  const file = o.authfile ?? defaultAuthFile();
  if (o.all) {
    removeAllCredentials(file);
    return 'Removed login credentials for all registries';
  }
  if (!server) throw new TscCtrError('a registry must be provided (or --all)', { code: 'TSC_ERR_USAGE' });
  const key = normalizeAuthKey(server, { acceptRepositories: true });
  if (!(await removeCredentials(file, key))) throw new TscCtrError(`not logged into ${key}`, { code: 'TSC_ERR_NOT_LOGGED_IN' });
  return `Removed login credentials for ${key}`;
}
