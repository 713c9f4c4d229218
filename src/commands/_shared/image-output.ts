// Small pieces of CLI output shared by the image commands.

/** hashicorp/go-multierror as Podman joins per-target errors: one error alone, else a list. */
export function joinErrors(messages: string[]): string {
  if (messages.length === 1) return messages[0]!;
  return `${messages.length} errors occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}`;
}

/**
 * One line of an answer from `input`, as Go's bufio ReadString('\n'): input that ends before a
 * newline is an error (Podman then fails with "EOF").
 */
export async function readAnswer(input: NodeJS.ReadableStream): Promise<string> {
  let buf = '';
  for await (const chunk of input) {
    buf += chunk.toString();
    const nl = buf.indexOf('\n');
    if (nl >= 0) {
      (input as NodeJS.ReadStream).pause?.();
      return buf.slice(0, nl + 1);
    }
  }
  const { TscCtrError } = await import('../../errors.js');
  throw new TscCtrError('EOF', { code: 'TSC_ERR_EOF' });
}
