import { TscCtrError } from '../../errors.js';

/**
 * A `--format` template that does not parse or fails while running. The message is Go's
 * (`template: ps:1: function "foo" not defined`), the exit status Podman's 125.
 */
export class TemplateError extends TscCtrError {
  constructor(message: string) {
    super(message, { code: 'TSC_ERR_TEMPLATE' });
  }
}
