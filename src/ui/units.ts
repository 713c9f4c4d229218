/**
 * Sizes as Podman prints them (go-units HumanSizeWithPrecision(size, 3)): decimal units,
 * three significant digits: "5.59MB", "1.23GB", "892B".
 */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}
