/** A parsed `WWW-Authenticate` challenge (RFC 7235), as registries send them. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse a WWW-Authenticate header value, which may carry several challenges:
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = () => {
    const s = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i]!)) i++;
    return header.slice(s, i);
  };
  while (i < n) {
    skipWs();
    while (i < n && header[i] === ',') {
      i++;
      skipWs();
    }
    const scheme = token();
    if (!scheme) break;
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    for (;;) {
      skipWs();
      const save = i;
      const key = token();
      skipWs();
      if (!key || header[i] !== '=') {
        i = save; // a token without '=' starts the next challenge
        break;
      }
      i++; // '='
      skipWs();
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // closing quote
      } else {
        const s = i;
        while (i < n && header[i] !== ',' && header[i] !== ' ') i++;
        value = header.slice(s, i);
      }
      ch.params[key.toLowerCase()] = value;
      skipWs();
      if (header[i] === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  return out;
}

/** The token endpoint's answer (distribution token spec: `token` or OAuth2 `access_token`). */
export interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
}
