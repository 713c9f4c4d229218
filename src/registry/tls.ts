import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** CA certificates and a client certificate for one registry, from a certs.d directory. */
export interface TlsMaterial {
  ca: string[];
  cert?: string;
  key?: string;
}

/**
 * Podman's cert directories: `--cert-dir` alone when given, else
 * ~/.config/containers/certs.d/HOST, /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST.
 * `*.crt` are CAs, `NAME.cert` + `NAME.key` a client certificate.
 */
export function loadTlsMaterial(host: string, certDir?: string): TlsMaterial {
  const dirs = certDir
    ? [certDir]
    : [
        join(process.env.XDG_CONFIG_HOME || join(process.env.HOME || homedir(), '.config'), 'containers', 'certs.d', host),
        join('/etc/containers/certs.d', host),
        join('/etc/docker/certs.d', host),
      ];
  const out: TlsMaterial = { ca: [] };
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.endsWith('.crt')) out.ca.push(readFileSync(join(dir, n), 'utf8'));
      else if (n.endsWith('.cert') && names.includes(n.replace(/\.cert$/, '.key'))) {
        out.cert = readFileSync(join(dir, n), 'utf8');
        out.key = readFileSync(join(dir, n.replace(/\.cert$/, '.key')), 'utf8');
      }
    }
  }
  return out;
}
