/** registries.conf (v2) that sends docker.io to the loopback registry over plain http. */
export function registriesConf(host: string): string {
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
`;
}
