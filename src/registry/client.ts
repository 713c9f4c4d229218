import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { rootCertificates } from 'node:tls';
import { MANIFEST_ACCEPT } from '../oci/image.js';
import { log } from '../ui/log.js';
import { parseChallenges, type TokenResponse } from './challenge.js';
import { AuthError, RegistryError, describeRegistryBody } from './errors.js';
import { loadTlsMaterial } from './tls.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (auth.json `identitytoken`). */
  identityToken?: string;
}

export interface ClientOptions {
  /** Skip TLS verification and fall back to plain http (`--tls-verify=false`, registries.conf `insecure`). */
  insecure?: boolean;
  certDir?: string;
  credentials?: Credentials;
  userAgent?: string;
  /** Attempts after the first for 429/5xx answers and dropped connections. */
  maxRetries?: number;
  retryBaseMs?: number;
}

export interface FetchedManifest {
  mediaType: string;
  digest: string | undefined;
  body: Buffer;
}

export interface BlobStream {
  body: Readable;
  size: number | undefined;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Docker Hub's API host differs from its name in references. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  repo: string;
  actions: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Token scope when it is not `repository:<repo>:<actions>` (a cross-repository mount needs two). */
  scope?: string;
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer>; dump(): Promise<void> };
  url: string;
}

function header(h: RawResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function errCode(err: unknown): string | undefined {
  let e: any = err;
  while (e) {
    if (typeof e.code === 'string' && !e.code.startsWith('TSC_')) return e.code;
    e = e.cause;
  }
  return undefined;
}

function isTlsOrProtocolError(err: unknown): boolean {
  const c = errCode(err) ?? '';
  const m = String((err as Error)?.message ?? '');
  return c.startsWith('ERR_SSL') || c === 'EPROTO' || c === 'ECONNRESET' || c === 'ECONNREFUSED' || /SSL|TLS|wrong version/i.test(m);
}

/**
 * A client for one registry (distribution API v2): authentication from the challenge, retries
 * with backoff, redirects to blob storage, http fallback for insecure registries.
 */
export class RegistryClient {
  readonly registry: string;
  private readonly opts: ClientOptions;
  private dispatcher: Dispatcher | undefined;
  private base: string | undefined;
  private readonly tokens = new Map<string, string>();
  private basic = false;

  constructor(registry: string, opts: ClientOptions = {}) {
    this.registry = registry;
    this.opts = opts;
  }

  private agent(): Dispatcher {
    if (!this.dispatcher) {
      const host = apiHost(this.registry);
      const tls = loadTlsMaterial(host, this.opts.certDir);
      this.dispatcher = new EnvHttpProxyAgent({
        connect: {
          rejectUnauthorized: !this.opts.insecure,
          ...(tls.ca.length ? { ca: [...rootCertificates, ...tls.ca] } : {}),
          ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
        },
        headersTimeout: 60_000,
        bodyTimeout: 120_000,
      });
    }
    return this.dispatcher;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  /** https, or for an insecure registry that does not speak TLS, http (decided once). */
  private async baseUrl(): Promise<string> {
    if (this.base) return this.base;
    const host = apiHost(this.registry);
    const https = `https://${host}`;
    if (!this.opts.insecure) return (this.base = https);
    try {
      const r = await this.once('GET', `${https}/v2/`, {});
      await r.body.dump();
      return (this.base = https);
    } catch (err) {
      if (!isTlsOrProtocolError(err)) throw err;
      log.debug(`${host}: https failed (${(err as Error).message}); using http`);
      return (this.base = `http://${host}`);
    }
  }

  private async once(method: string, url: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<RawResponse> {
    const r = await request(url, {
      method: method as any,
      headers: { 'user-agent': this.opts.userAgent ?? 'tsc-ctr', ...headers },
      body,
      dispatcher: this.agent(),
    });
    return { statusCode: r.statusCode, headers: r.headers as RawResponse['headers'], body: r.body as any, url };
  }

  /** One request with redirects followed; Authorization is not sent to another host. */
  private async follow(method: string, url: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<RawResponse> {
    let current = url;
    let h = headers;
    for (let hop = 0; hop < 10; hop++) {
      const r = await this.once(method, current, h, body);
      if (![301, 302, 303, 307, 308].includes(r.statusCode)) return r;
      const loc = header(r.headers, 'location');
      await r.body.dump();
      if (!loc) throw new RegistryError(`${this.registry}: redirect without a Location header`, r.statusCode);
      const next = new URL(loc, current);
      if (next.host !== new URL(current).host) {
        const { authorization: _drop, ...rest } = h;
        h = rest;
      }
      current = next.toString();
    }
    throw new RegistryError(`${this.registry}: too many redirects for ${url}`, 310);
  }

  private authHeader(scope: string): Record<string, string> {
    const t = this.tokens.get(scope);
    if (t) return { authorization: `Bearer ${t}` };
    const c = this.opts.credentials;
    if (this.basic && c?.username !== undefined) {
      return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}` };
    }
    return {};
  }

  private async fetchToken(params: Record<string, string>, scope: string): Promise<void> {
    const realm = params.realm;
    if (!realm) throw new AuthError(`${this.registry}: Bearer challenge without a realm`);
    const c = this.opts.credentials;
    const u = new URL(realm);
    if (params.service) u.searchParams.set('service', params.service);
    if (scope) u.searchParams.set('scope', scope);
    let r: RawResponse;
    if (c?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.identityToken,
        client_id: 'tsc-ctr',
        ...(scope ? { scope } : {}),
        ...(params.service ? { service: params.service } : {}),
      });
      r = await this.follow('POST', realm, { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(form.toString()));
    } else {
      const h: Record<string, string> = {};
      if (c?.username !== undefined) h.authorization = `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
      r = await this.follow('GET', u.toString(), h);
    }
    const text = await r.body.text();
    if (r.statusCode === 401 || r.statusCode === 403) {
      throw new AuthError(`${this.registry}: authentication failed: ${describeRegistryBody(text).text || 'unauthorized'}`);
    }
    if (r.statusCode !== 200) {
      throw new AuthError(`${this.registry}: token server ${u.host} answered ${r.statusCode}: ${describeRegistryBody(text).text}`);
    }
    let tok: TokenResponse;
    try {
      tok = JSON.parse(text) as TokenResponse;
    } catch {
      throw new AuthError(`${this.registry}: token server ${u.host} sent invalid JSON`);
    }
    const token = tok.token ?? tok.access_token;
    if (!token) throw new AuthError(`${this.registry}: token server ${u.host} sent no token`);
    this.tokens.set(scope, token);
  }

  /**
   * Send a request to the registry API with auth and retries. The caller owns the response body.
   * `expect` lists statuses returned as they are; others become RegistryError.
   */
  async send(spec: RequestSpec, expect: number[]): Promise<RawResponse> {
    const base = await this.baseUrl();
    const scope = spec.scope ?? (spec.repo ? `repository:${spec.repo}:${spec.actions}` : '');
    const url = spec.path.startsWith('http') ? spec.path : `${base}${spec.path}`;
    const retries = this.opts.maxRetries ?? 4;
    const baseMs = this.opts.retryBaseMs ?? 250;
    const replayable = !(spec.body && typeof (spec.body as Readable).pipe === 'function');
    let authTried = false;
    for (let attempt = 0; ; attempt++) {
      let r: RawResponse;
      try {
        r = await this.follow(spec.method, url, { ...spec.headers, ...this.authHeader(scope) }, spec.body);
      } catch (err) {
        const code = errCode(err);
        if (replayable && code && RETRY_CODES.has(code) && attempt < retries) {
          log.debug(`${this.registry}: ${spec.method} ${spec.path}: ${code}, retrying`);
          await sleep(Math.min(5000, baseMs * 2 ** attempt));
          continue;
        }
        throw new RegistryError(`${spec.method} ${url}: ${(err as Error).message}${code ? ` (${code})` : ''}`, 0, code);
      }
      if (r.statusCode === 401 && !authTried) {
        authTried = true;
        const challenge = header(r.headers, 'www-authenticate');
        await r.body.dump();
        const chs = challenge ? parseChallenges(challenge) : [];
        const bearer = chs.find((c) => c.scheme === 'bearer');
        if (bearer) await this.fetchToken(bearer.params, scope);
        else if (chs.some((c) => c.scheme === 'basic') && this.opts.credentials?.username !== undefined) this.basic = true;
        else throw new AuthError(`${this.registry}/${spec.repo}: unauthorized: authentication required`);
        if (!replayable) throw new AuthError(`${this.registry}: authentication needed before streaming an upload`);
        attempt--;
        continue;
      }
      if (RETRY_STATUS.has(r.statusCode) && replayable && attempt < retries) {
        const ra = Number(header(r.headers, 'retry-after'));
        await r.body.dump();
        const wait = Number.isFinite(ra) && ra > 0 ? Math.min(30_000, ra * 1000) : Math.min(5000, baseMs * 2 ** attempt);
        log.debug(`${this.registry}: ${spec.method} ${spec.path}: HTTP ${r.statusCode}, retrying in ${wait} ms`);
        await sleep(wait);
        continue;
      }
      if (expect.includes(r.statusCode)) return r;
      const text = spec.method === 'HEAD' ? '' : await r.body.text().catch(() => '');
      if (spec.method === 'HEAD') await r.body.dump();
      const d = describeRegistryBody(text);
      if (r.statusCode === 401 || r.statusCode === 403) {
        throw new AuthError(`${this.registry}/${spec.repo}: ${d.text || (r.statusCode === 401 ? 'unauthorized: authentication required' : 'denied')}`);
      }
      throw new RegistryError(d.text || `HTTP ${r.statusCode}`, r.statusCode, d.code);
    }
  }

  /** GET a manifest by tag or digest. */
  async getManifest(repo: string, reference: string, accept: readonly string[] = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    let r: RawResponse;
    try {
      r = await this.send(
        { method: 'GET', path: `/v2/${repo}/manifests/${reference}`, repo, actions: 'pull', headers: { accept: accept.join(', ') } },
        [200],
      );
    } catch (err) {
      if (err instanceof RegistryError || err instanceof AuthError) {
        err.message = `reading manifest ${reference} in ${this.registry}/${repo}: ${err.message}`;
      }
      throw err;
    }
    const body = Buffer.from(await r.body.arrayBuffer());
    const ct = (header(r.headers, 'content-type') ?? '').split(';')[0]!.trim();
    let mediaType = ct;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!ct || ct === 'application/json' || ct === 'text/plain') {
        mediaType = parsed.schemaVersion === 1 ? 'application/vnd.docker.distribution.manifest.v1+json' : parsed.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
      }
    } catch {
      throw new RegistryError(`reading manifest ${reference} in ${this.registry}/${repo}: not valid JSON`, r.statusCode);
    }
    return { mediaType, digest: header(r.headers, 'docker-content-digest'), body };
  }

  /** Stream a blob; the caller verifies the digest while reading. */
  async getBlob(repo: string, digest: string): Promise<BlobStream> {
    let r: RawResponse;
    try {
      r = await this.send({ method: 'GET', path: `/v2/${repo}/blobs/${digest}`, repo, actions: 'pull' }, [200]);
    } catch (err) {
      if (err instanceof RegistryError || err instanceof AuthError) {
        err.message = `fetching blob ${digest} from ${this.registry}/${repo}: ${err.message}`;
      }
      throw err;
    }
    const len = header(r.headers, 'content-length');
    return { body: r.body, size: len !== undefined ? Number(len) : undefined };
  }

  /** Does the registry hold this blob? (HEAD; used by push to skip uploads.) */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const r = await this.send({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, repo, actions: 'pull' }, [200, 404]);
    await r.body.dump();
    return r.statusCode === 200;
  }

  /** GET /v2/ with auth: `login` uses it to check credentials. */
  async ping(repoForScope = ''): Promise<void> {
    const r = await this.send({ method: 'GET', path: '/v2/', repo: repoForScope, actions: 'pull' }, [200]);
    await r.body.dump();
  }

  /** Tags of a repository (for `pull --all-tags`), following Link pagination. */
  async listTags(repo: string): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = `/v2/${repo}/tags/list`;
    while (path) {
      const r: RawResponse = await this.send({ method: 'GET', path, repo, actions: 'pull' }, [200]);
      const j = (await r.body.text().then((t) => JSON.parse(t))) as { tags?: string[] | null };
      out.push(...(j.tags ?? []));
      const link = header(r.headers, 'link');
      const m = link?.match(/<([^>]+)>;\s*rel="next"/);
      path = m ? m[1] : undefined;
    }
    return out;
  }
}
