// Shared by `image inspect` and the top-level `inspect`: print what was found, then the errors
// (Podman: the first as `Error: …` with status 125, the others on stderr before it).
import { TscCtrError } from '../../errors.js';
import { describeProblems, imageProblems, inspectImage, type ImageInspect } from '../../image/inspect.js';
import type { Store } from '../../storage/store.js';
import { log } from '../../ui/log.js';

export async function inspectImages(store: Store, names: string[], format: string | undefined, notFound: (name: string) => string): Promise<number> {
  const images = store.listImages();
  const found: ImageInspect[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let match;
    try {
      match = await store.lookupImage(name, images);
    } catch (err) {
      errors.push((err as Error).message);
      continue;
    }
    if (!match) {
      errors.push(notFound(name));
      continue;
    }
    const problem = describeProblems(match.image, imageProblems(store, match.image));
    if (problem) log.warn(problem);
    found.push(inspectImage(store, match.image));
  }
  const { formatItems } = await import('../../ui/format.js');
  // Podman: indented JSON by default (5 spaces, no HTML escaping), else the template per image.
  process.stdout.write(formatItems(format || 'json', found, { name: 'inspect', jsonIndent: 5, escapeHTML: false }));
  if (!errors.length) return 0;
  for (const e of errors.slice(1)) process.stderr.write(`${e}\n`);
  throw new TscCtrError(errors[0]!, { code: 'TSC_ERR_NO_SUCH_OBJECT' });
}
