// The OCI image-spec schemas (Debian's golang-github-opencontainers-image-spec-dev, installed by
// `scripts/setup --test`; $OCI_IMAGE_SPEC_SCHEMA_DIR overrides) with the draft-04 validator of the
// runtime-spec tests. That validator throws on keywords it does not implement; the image-spec
// files use one more, `format`, so the schemas are copied with `format` lifted out and the two
// formats they use (date-time, uri) are checked here, at the paths that carry them.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaValidator, type SchemaError } from '../spec/json-schema.js';

export const IMAGE_SPEC_SCHEMA_DIR = process.env.OCI_IMAGE_SPEC_SCHEMA_DIR ?? '/usr/share/gocode/src/github.com/opencontainers/image-spec/schema';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function strip(node: unknown, formats: string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => strip(n, formats));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') formats.push(v);
      else out[k] = strip(v, formats);
    }
    return out;
  }
  return node;
}

let validator: SchemaValidator | undefined;

function get(): SchemaValidator {
  if (validator) return validator;
  const dir = mkdtempSync(join(tmpdir(), 'image-spec-schema-'));
  const formats: string[] = [];
  for (const f of readdirSync(IMAGE_SPEC_SCHEMA_DIR).filter((n) => n.endsWith('.json'))) {
    writeFileSync(join(dir, f), JSON.stringify(strip(JSON.parse(readFileSync(join(IMAGE_SPEC_SCHEMA_DIR, f), 'utf8')), formats)));
  }
  const unknown = formats.filter((f) => f !== 'date-time' && f !== 'uri');
  if (unknown.length) throw new Error(`image-spec schema uses formats this helper does not check: ${unknown.join(', ')}`);
  return (validator = new SchemaValidator(dir));
}

function formatErrors(doc: unknown, path = ''): SchemaError[] {
  const errs: SchemaError[] = [];
  if (Array.isArray(doc)) doc.forEach((d, i) => errs.push(...formatErrors(d, `${path}/${i}`)));
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'created' && typeof v === 'string' && !RFC3339.test(v)) errs.push({ path: `${path}/${k}`, message: `"${v}" is not an RFC 3339 date-time` });
      if (k === 'urls' && Array.isArray(v)) for (const u of v) if (typeof u !== 'string' || !URL.canParse(u)) errs.push({ path: `${path}/${k}`, message: `${JSON.stringify(u)} is not a URI` });
      errs.push(...formatErrors(v, `${path}/${k}`));
    }
  }
  return errs;
}

export type ImageSpecDoc = 'manifest' | 'index' | 'config' | 'layout' | 'descriptor';
const ENTRY: Record<ImageSpecDoc, string> = {
  manifest: 'image-manifest-schema.json',
  index: 'image-index-schema.json',
  config: 'config-schema.json',
  layout: 'image-layout-schema.json',
  descriptor: 'content-descriptor.json',
};

/** Schema errors of `doc` as an OCI `kind` document ([] when it is valid). */
export function validateImageSpec(kind: ImageSpecDoc, doc: unknown): SchemaError[] {
  return [...get().validate(ENTRY[kind], doc), ...formatErrors(doc)];
}
