import { TscCtrError } from '../errors.js';
import { credentialsForReference, parseCreds } from '../registry/auth-file.js';
import type { Credentials } from '../registry/client.js';
import { formatReference } from '../registry/reference.js';
import { loadRegistriesConf, pullSources } from '../registry/registries-conf.js';
import { promptForImage, recordShortNameAlias, resolveShortName } from '../registry/shortnames.js';
import type { Store } from '../storage/store.js';
import { type PullEvents, type PullFromOptions, type PulledImage, pullFrom } from './pull.js';

export interface PullOptions extends Omit<PullFromOptions, 'credentials' | 'events'> {
  /** false: skip TLS verification and allow http for every registry (`--tls-verify=false`). */
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
  /** `--creds USER[:PASS]` */
  creds?: string | undefined;
  events?: (PullEvents & { resolved?(line: string): void }) | undefined;
}

export interface PullResult extends PulledImage {
  /** The fully qualified name the image was stored under. */
  name: string;
}

/**
 * `pull NAME`: resolve a short name through registries.conf (aliases, search registries,
 * prompting on a TTY), then try each candidate and, for each, its mirrors and its registry,
 * until one succeeds. Errors from every attempt are reported together.
 */
export async function pullImage(store: Store, input: string, opts: PullOptions = {}): Promise<PullResult> {
  const conf = await loadRegistriesConf();
  const res = await resolveShortName(conf, input);
  let candidates = res.candidates;
  if (res.needsPrompt) {
    const chosen = await promptForImage(candidates);
    candidates = [chosen];
    if (res.shortName) await recordShortNameAlias(res.shortName, chosen);
  }
  if (res.description) opts.events?.resolved?.(res.description);
  const fixed: Credentials | undefined = opts.creds ? parseCreds(opts.creds) : undefined;
  const errors: string[] = [];
  let last: unknown;
  for (const cand of candidates) {
    const name = formatReference(cand);
    opts.events?.trying?.(name);
    for (const src of pullSources(conf, cand)) {
      const insecure = opts.tlsVerify === undefined ? src.insecure : !opts.tlsVerify;
      try {
        const credentials = fixed ?? (await credentialsForReference(src.reference, { authfile: opts.authfile }));
        const r = await pullFrom(store, { reference: src.reference, insecure }, name, { ...opts, credentials });
        return { ...r, name };
      } catch (err) {
        last = err;
        const where = `docker://${formatReference(src.reference)}`;
        const msg = (err as Error).message;
        errors.push(msg.includes(where) ? msg : `initializing source ${where}: ${msg}`);
      }
    }
  }
  if (errors.length === 1 && last instanceof TscCtrError) {
    last.message = errors[0]!;
    throw last;
  }
  throw new TscCtrError(errors.length ? `${errors.length} errors occurred while pulling ${input}: ${errors.join('; ')}` : `nothing to pull for ${input}`, {
    code: 'TSC_ERR_PULL',
  });
}

/** `pull --all-tags NAME`: every tag of the repository (NAME must not carry a tag or digest). */
export async function pullAllTags(store: Store, input: string, opts: PullOptions = {}): Promise<PullResult[]> {
  const conf = await loadRegistriesConf();
  const res = await resolveShortName(conf, input);
  const repo = res.candidates[0];
  if (!repo) throw new TscCtrError(`nothing to pull for ${input}`, { code: 'TSC_ERR_PULL' });
  if (/[:@][^/]*$/.test(input.replace(/^[^/]*\//, ''))) {
    throw new TscCtrError(`tag or digest can't be used with --all-tags flag`, { code: 'TSC_ERR_USAGE' });
  }
  const { RegistryClient } = await import('../registry/client.js');
  const src = pullSources(conf, { ...repo, tag: undefined, digest: undefined } as typeof repo).at(-1)!;
  const insecure = opts.tlsVerify === undefined ? src.insecure : !opts.tlsVerify;
  const credentials = opts.creds ? parseCreds(opts.creds) : await credentialsForReference(src.reference, { authfile: opts.authfile });
  const client = new RegistryClient(src.reference.domain, { insecure, certDir: opts.certDir, credentials });
  let tags: string[];
  try {
    tags = await client.listTags(src.reference.path);
  } finally {
    await client.close();
  }
  const base = formatReference({ ...repo, tag: undefined, digest: undefined } as typeof repo);
  const out: PullResult[] = [];
  for (const tag of tags) out.push(await pullImage(store, `${base}:${tag}`, opts));
  return out;
}
