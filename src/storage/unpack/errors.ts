/** Errors of the layer unpacker: each names the layer and, when there is one, the entry. */
import { TscCtrError } from '../../errors.js';

/** `layer sha256:ab12…: entry "etc/passwd": why` */
export class UnpackError extends TscCtrError {
  readonly layer: string;
  readonly entry: string | undefined;
  constructor(layer: string, entry: string | undefined, why: string, options: { code?: string; cause?: unknown } = {}) {
    super(`layer ${layer}: ${entry === undefined ? '' : `entry ${JSON.stringify(entry)}: `}${why}`, {
      code: options.code ?? 'TSC_ERR_UNPACK',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.layer = layer;
    this.entry = entry;
  }
}

/** The layer tried to leave its directory, or to exhaust the host (size, entry count). */
export class HostileLayerError extends UnpackError {
  constructor(layer: string, entry: string | undefined, why: string, code = 'TSC_ERR_HOSTILE_LAYER') {
    super(layer, entry, why, { code });
  }
}
