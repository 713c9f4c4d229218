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

/**
 * Go's `%.*g` for a non-negative number: `precision` significant digits, trailing zeros
 * dropped, exponent form (`1e+03`) when the exponent is < -4 or ≥ precision.
 */
export function goFormatG(x: number, precision: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const [mant, expStr] = x.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expStr);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= precision) {
    const e = Math.abs(exp);
    return `${trim(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return trim(x.toFixed(Math.max(0, precision - 1 - exp)));
}

/** go-units HumanSizeWithPrecision: decimal units, `precision` significant digits ("5.59MB"). */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${goFormatG(v, precision)}${units[i]}`;
}

/** go-units HumanSize (4 significant digits), as `system df` prints sizes: "7.338MB". */
export function goHumanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** Go's time.Time.String() of a UTC time: "2024-01-02 03:04:05 +0000 UTC" (fraction only if any). */
export function goTimeStringUTC(d: Date): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${String(ms).padStart(3, '0').replace(/0+$/, '')}` : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}
