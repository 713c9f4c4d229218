import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, newStorage, runAsUser, runCli, startRegistry, userTempDir, type Registry } from '../harness/index.js';

describe('login, logout and pulling from a registry that requires auth', () => {
  const h = harness();
  let reg: Registry;
  let authfile: string;
  beforeAll(async () => {
    const hash = execFileSync('python3', ['-c', "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", 's3cret'], { encoding: 'utf8' }).trim();
    reg = await startRegistry({ htpasswd: `ci:${hash}\n` });
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'ci:s3cret', `oci:${h.layout}:${h.layoutTags[0]}`, `docker://${reg.host}/private/bb:latest`]);
    authfile = join(userTempDir('auth-'), 'auth.json');
  }, 60_000);
  afterAll(async () => reg?.stop());

  it('refuses a wrong password and writes nothing', async () => {
    const r = await runCli(['login', '--tls-verify=false', '--authfile', authfile, '-u', 'ci', '--password-stdin', reg.host], { input: 'wrong\n' });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`Error: logging into "${reg.host}": invalid username/password\n`);
  });

  it('pull without credentials is refused with a clear error', async () => {
    const r = await runCli(['pull', '--tls-verify=false', '--authfile', authfile, `${reg.host}/private/bb:latest`], { storage: newStorage() });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/unauthorized|authentication required/);
  });

  it('logs in (file 0600), pulls with the stored credentials, logs out', async () => {
    const r = await runCli(['login', '--tls-verify=false', '--authfile', authfile, '-u', 'ci', '--password-stdin', reg.host], { input: 's3cret\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Login Succeeded!\n');
    expect(statSync(authfile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(authfile, 'utf8'));
    expect(Buffer.from(stored.auths[reg.host].auth, 'base64').toString()).toBe('ci:s3cret');
    const p = await runCli(['pull', '-q', '--tls-verify=false', '--authfile', authfile, `${reg.host}/private/bb:latest`], { storage: newStorage() });
    expect(p.stderr).toBe('');
    expect(p.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const out = await runCli(['logout', '--authfile', authfile, reg.host]);
    expect(out.stdout).toBe(`Removed login credentials for ${reg.host}\n`);
    const again = await runCli(['logout', '--authfile', authfile, reg.host]);
    expect(again.code).toBe(125);
    expect(again.stderr).toBe(`Error: not logged into ${reg.host}\n`);
  });
});
