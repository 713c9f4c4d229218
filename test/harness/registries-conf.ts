/**
 * registries.conf (v2) for the tests: short names search docker.io, docker.io is mirrored by the
 * loopback registry, and the loopback registry is plain http. `alpine` and
 * `docker.io/library/alpine` thus resolve to the fixture without the network.
 */
export function registriesConf(host: string, opts: { extra?: string } = {}): string {
  return `unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"

[[registry]]
location = "${host}"
insecure = true

[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "${host}"
insecure = true
${opts.extra ? `\n${opts.extra}` : ''}`;
}
