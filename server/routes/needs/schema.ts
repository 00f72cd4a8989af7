// The common currency of the request-needs sources: a small subset of JSON Schema. Fastify schemas
// are JSON Schema already; zod, joi, TypeBox, class-validator DTOs and express-validator chains are
// translated into it. From it come the query parameters a route needs and an example JSON body.
// Pure: no I/O.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  example?: unknown;
  format?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** A translated schema and whether its owner may leave it out (zod `.optional()`, joi without `.required()`…). */
export interface Converted {
  schema: JsonSchema;
  optional: boolean;
}

export interface SchemaField {
  name: string;
  required: boolean;
  example?: string;
  /** The example was written down (examples/example/default/const/enum), not made up from the format or type. */
  exampleGiven?: boolean;
  description?: string;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  'date-time': '2024-01-01T00:00:00.000Z',
  date: '2024-01-01',
  time: '12:00:00',
  uri: 'https://example.com',
  url: 'https://example.com',
  'uri-reference': '/example',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A loose JSON value as a schema: only objects count. */
export function asSchema(value: unknown): JsonSchema | undefined {
  return isPlainObject(value) ? (value as JsonSchema) : undefined;
}

function typesOf(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

/** allOf merged, anyOf/oneOf: the first branch that is not null. */
function flatten(schema: JsonSchema, depth: number): JsonSchema {
  if (depth > 8) return schema;
  let out = schema;
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && !typesOf(schema).length) {
    const pick = branches.map(asSchema).find((b) => b && !typesOf(b).every((t) => t === 'null'));
    if (pick) out = { ...flatten(pick, depth + 1), ...withoutBranches(schema) };
  }
  if (Array.isArray(out.allOf)) {
    let merged: JsonSchema = withoutBranches(out);
    for (const part of out.allOf.map(asSchema)) {
      if (!part) continue;
      const flat = flatten(part, depth + 1);
      merged = { ...flat, ...merged, properties: { ...flat.properties, ...merged.properties }, required: [...(flat.required ?? []), ...(merged.required ?? [])] };
    }
    out = merged;
  }
  return out;
}

function withoutBranches(schema: JsonSchema): JsonSchema {
  const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = schema;
  return rest;
}

/** An example value for a schema: its examples/example/default/const/enum, else one made from format and type. */
export function exampleValue(input: JsonSchema, depth = 0): unknown {
  const schema = flatten(input, depth);
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const types = typesOf(schema).filter((t) => t !== 'null');
  const stringish = schema.format !== undefined || schema.minLength !== undefined || schema.maxLength !== undefined;
  const type = types[0] ?? (stringish ? 'string' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 6) return out;
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const sub = asSchema(property);
        if (sub) out[name] = exampleValue(sub, depth + 1);
      }
      return out;
    }
    case 'array': {
      const items = asSchema(schema.items);
      return depth > 6 || !items ? [] : [exampleValue(items, depth + 1)];
    }
    case 'integer':
    case 'number':
      return numberExample(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return stringExample(schema);
    default:
      return schema.format ? stringExample(schema) : undefined;
  }
}

function numberExample(schema: JsonSchema, integer: boolean): number {
  let value = 1;
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined;
  if (min !== undefined && value < min) value = min;
  if (typeof schema.maximum === 'number' && value > schema.maximum) value = schema.maximum;
  return integer ? Math.ceil(value) : value;
}

function stringExample(schema: JsonSchema): string {
  let value = (schema.format && FORMAT_EXAMPLES[schema.format]) ?? 'example';
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) value = value.padEnd(Math.min(schema.minLength, 10_000), 'x');
  if (typeof schema.maxLength === 'number' && schema.maxLength >= 0 && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  return value;
}

/** A value as it would be written in a query string: arrays give their first item, objects are not written. */
export function queryText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? queryText(value[0]) : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** The top-level properties of an object schema (Fastify's shorthand `{ q: { type: 'string' } }` included). */
export function schemaFields(input: JsonSchema): SchemaField[] {
  const schema = flatten(normalizeObject(input), 0);
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const fields: SchemaField[] = [];
  for (const [name, property] of Object.entries(isPlainObject(schema.properties) ? schema.properties : {})) {
    const sub = asSchema(property);
    if (!sub) continue;
    const example = queryText(exampleValue(sub));
    fields.push({ name, required: required.has(name), ...(example !== undefined ? { example, exampleGiven: isGiven(sub) } : {}), ...(typeof sub.description === 'string' ? { description: sub.description } : {}) });
  }
  return fields;
}

/** Does the schema (or its array items) carry a written-down value? */
function isGiven(input: JsonSchema, depth = 0): boolean {
  const schema = flatten(input, depth);
  if ((Array.isArray(schema.examples) && schema.examples.length) || schema.example !== undefined || schema.default !== undefined || schema.const !== undefined || (Array.isArray(schema.enum) && schema.enum.length)) return true;
  const items = asSchema(schema.items);
  return depth < 4 && !!items && isGiven(items, depth + 1);
}

/** Fastify accepts `{ q: { type: 'string' } }` for `{ type: 'object', properties: { q: … } }`. */
export function normalizeObject(schema: JsonSchema): JsonSchema {
  if (schema.type !== undefined || schema.properties || schema.anyOf || schema.oneOf || schema.allOf || schema.items) return schema;
  const entries = Object.entries(schema);
  if (entries.length && entries.every(([, v]) => isPlainObject(v))) return { type: 'object', properties: schema as Record<string, JsonSchema> };
  return schema;
}

/** An object schema from fields (a sub-schema and whether it is optional each). */
export function objectSchema(fields: Iterable<[string, Converted]>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, { schema, optional }] of fields) {
    properties[name] = schema;
    if (!optional) required.push(name);
  }
  return { type: 'object', properties, required };
}

/** Does the schema require anything (a required property, or a non-object)? */
export function requiresSomething(input: JsonSchema): boolean {
  const schema = flatten(normalizeObject(input), 0);
  if (!typesOf(schema).includes('object') && typesOf(schema).length) return true;
  return Array.isArray(schema.required) && schema.required.length > 0;
}
