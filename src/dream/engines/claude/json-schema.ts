/**
 * A validator for the part of JSON Schema the claude engine's schemas use: `type` (one or a list, `null` included),
 * `properties`, `required`, `additionalProperties: false`, `items`, `enum`. It is the same subset structured outputs
 * compile into a grammar, so a schema the API accepts is one this validator understands. Anything else in a schema
 * is refused when the schema is checked, rather than silently ignored when an answer is.
 */

export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export interface JsonSchema {
  type: JsonType | JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
  items?: JsonSchema;
  enum?: (string | number | boolean | null)[];
}

/** Errors past this many are summarised: the model gets the first ones back, not a wall of them. */
const MAX_ERRORS = 12;

const KNOWN_KEYWORDS = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum']);

/** Problems of `value` against `schema`, each as `<path>: <what is wrong>`; empty when it conforms. */
export function validate(value: unknown, schema: JsonSchema): string[] {
  const errors: string[] = [];
  check(value, schema, '$', errors);
  if (errors.length <= MAX_ERRORS) return errors;
  return [...errors.slice(0, MAX_ERRORS), `… and ${errors.length - MAX_ERRORS} more`];
}

function check(value: unknown, schema: JsonSchema, path: string, errors: string[]): void {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const actual = typeOf(value);
  if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) {
    errors.push(`${path}: must be ${types.join(' or ')}, got ${actual}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    errors.push(`${path}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (actual === 'object') checkObject(value as Record<string, unknown>, schema, path, errors);
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => check(item, schema.items as JsonSchema, `${path}[${i}]`, errors));
}

function checkObject(value: Record<string, unknown>, schema: JsonSchema, path: string, errors: string[]): void {
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${path}.${key}: is required`);
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties[key];
    if (childSchema) check(child, childSchema, `${path}.${key}`, errors);
    else if (schema.additionalProperties === false) errors.push(`${path}.${key}: is not allowed (no such property)`);
  }
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as JsonType;
  return 'null';
}

/**
 * Problems of a schema itself: keywords outside the subset, and objects that do not close `additionalProperties`
 * or leave a property out of `required` (structured outputs need both). A unit test runs it on every schema sent.
 */
export function checkSchema(schema: JsonSchema, path = '$'): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(key)) problems.push(`${path}: keyword "${key}" is outside the supported subset`);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('object')) {
    if (schema.additionalProperties !== false) problems.push(`${path}: an object must set additionalProperties: false`);
    const keys = Object.keys(schema.properties ?? {});
    const required = new Set(schema.required ?? []);
    for (const key of keys) if (!required.has(key)) problems.push(`${path}.${key}: every property must be required (use a null type for an optional one)`);
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) problems.push(...checkSchema(child, `${path}.${key}`));
  if (schema.items) problems.push(...checkSchema(schema.items, `${path}[]`));
  return problems;
}
