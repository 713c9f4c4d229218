// placeholder during development: replaced by the Go-template engine
export function formatOne(format: string, item: unknown): string {
  if (format === 'json') return JSON.stringify(item, null, 4) + '\n';
  throw new Error('template not yet');
}
