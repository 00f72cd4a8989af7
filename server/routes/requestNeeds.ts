// What the request to a route needs (query parameters, a body, headers), with examples, so the
// lens loads the route's real path rather than its 400 path. Sources, most authoritative first:
// Fastify route schemas, NestJS DTOs, express-validator, zod, joi (and TypeBox), and the handler's
// own reads. Pure: no VS Code, no I/O (other files only through a SourceHost); never throws.
import ts from 'typescript';
import { analyzeHandler, type HandlerUse, type UseField } from './needs/handlerUse';
import { fastifyFindings } from './needs/fastify';
import { findRouteSite, functionOf, type RouteRef } from './needs/locate';
import { middlewareFindings } from './needs/middleware';
import { nestFindings } from './needs/nest';
import { Program, type FileContext } from './needs/program';
import { exampleValue, objectSchema, requiresSomething, schemaFields, type Converted, type JsonSchema } from './needs/schema';
import { SOURCE_ORDER, type Finding, type NeedSource } from './needs/types';
import { convertSchema } from './needs/validators';
import { skipOuter } from './resolve';
import { pathParams } from './samplePath';
import type { SourceHost } from './sourceHost';

export type { NeedSource } from './needs/types';

export interface QueryNeed {
  name: string;
  /** The route rejects a request without it. */
  required: boolean;
  /** A value to send, when one is known (schema example/default/enum/format/type, or the handler's message). */
  example?: string;
  source: NeedSource;
  description?: string;
}

export interface BodyNeed {
  required: boolean;
  contentType: string;
  /** The body text, e.g. JSON. */
  example?: string;
  source: NeedSource;
}

export interface HeaderNeed {
  name: string;
  required: boolean;
  example?: string;
  source: NeedSource;
}

export interface RequestNeeds {
  query: QueryNeed[];
  body?: BodyNeed;
  headers?: HeaderNeed[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = 'application/json';

/** What the route at (line, character) — a RouteInfo from detectRoutes of the same text — needs in its request. Never throws. */
export function requestNeeds(fileName: string, text: string, route: RouteRef, host?: SourceHost): RequestNeeds {
  try {
    const program = new Program(host);
    const file = program.file(fileName, text);
    if (!file) return { query: [] };
    const { findings, use } = gather(file, program, route);
    return assemble(findings, use, route.method.toUpperCase(), new Set(pathParams(route.path)));
  } catch {
    return { query: [] };
  }
}

/** A URL query string from answers: { q: 'gift' } → '?q=gift' (encoded); '' when there is nothing to send. */
export function formatQuery(values: Record<string, string>): string {
  const pairs = Object.entries(values)
    .filter(([name, value]) => name !== '' && typeof value === 'string')
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function gather(file: FileContext, program: Program, route: RouteRef): { findings: Finding[]; use?: HandlerUse } {
  const site = findRouteSite(file, program, route);
  if (!site) return { findings: [] };
  const findings: Finding[] = [];
  let use: HandlerUse | undefined;
  const method = route.method.toUpperCase();
  if (site.kind === 'nest') {
    const nest = nestFindings(site.method, file, program);
    findings.push(...nest.findings);
    use = analyzeHandler({ node: site.method, file }, program, nest.seeds);
  } else {
    if (site.options) findings.push(...(safe(() => fastifyFindings(site.options!, program)) ?? []));
    findings.push(...(safe(() => middlewareFindings(site.middleware, file, program, method)) ?? []));
    const fn = safe(() => functionOf(site.handler, file, program));
    if (fn) use = analyzeHandler(fn, program);
    // Middleware written as functions (not factories like cors()): what they read and reject counts too.
    for (const middleware of site.middleware) {
      const node = skipOuter(middleware);
      if (!ts.isIdentifier(node) && !ts.isArrowFunction(node) && !ts.isFunctionExpression(node) && !ts.isPropertyAccessExpression(node)) continue;
      const before = safe(() => functionOf(node, file, program));
      const extra = before && before.node !== fn?.node ? analyzeHandler(before, program) : undefined;
      if (extra) use = mergeUse(use, extra);
    }
  }
  for (const schema of use?.schemas ?? []) {
    const converted = safe(() => convertSchema(schema.expr, schema.file, program));
    const source: NeedSource | undefined = converted?.kind === 'zod' ? 'zod' : converted?.kind === 'joi' ? 'joi' : converted?.kind === 'typebox' ? 'typebox' : undefined;
    if (converted && source) findings.push({ source, part: schema.location, schema: converted.schema });
  }
  return { findings, use };
}

function mergeUse(a: HandlerUse | undefined, b: HandlerUse): HandlerUse {
  if (!a) return b;
  return { fields: [...a.fields, ...b.fields], wholeBody: a.wholeBody || b.wholeBody, schemas: [...a.schemas, ...b.schemas] };
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

const rank = (source: NeedSource) => SOURCE_ORDER.indexOf(source);

function assemble(all: Finding[], use: HandlerUse | undefined, method: string, pathParameters: Set<string>): RequestNeeds {
  const findings = [...all].sort((a, b) => rank(a.source) - rank(b.source));
  const handlerFields = use?.fields ?? [];
  // A schema that validates params and query alike (check('id'), one zod object) names path parameters too: those are in the path.
  const query = mergeFields(findings.filter((f) => f.part === 'query'), handlerFields.filter((f) => f.location === 'query')).filter((need) => !pathParameters.has(need.name));
  const headers = mergeFields(findings.filter((f) => f.part === 'headers'), handlerFields.filter((f) => f.location === 'headers'), true);
  const needs: RequestNeeds = { query };
  const body = bodyNeed(findings.filter((f) => f.part === 'body'), use, method);
  if (body) needs.body = body;
  if (headers.length) needs.headers = headers.map(({ description: _d, ...header }) => header);
  return needs;
}

/** Fields by name: the most authoritative source decides the source; required if any source requires; examples filled in from the others. */
function mergeFields(findings: Finding[], handler: UseField[], caseInsensitive = false): QueryNeed[] {
  const byName = new Map<string, QueryNeed & { given: boolean }>();
  const add = (need: QueryNeed, given: boolean) => {
    const key = caseInsensitive ? need.name.toLowerCase() : need.name;
    const existing = byName.get(key);
    if (!existing) {
      byName.set(key, { ...need, given });
      return;
    }
    existing.required ||= need.required;
    // A written-down example (a schema's examples/default, the handler's message) beats one made up from a type.
    if (need.example !== undefined && (existing.example === undefined || (given && !existing.given))) {
      existing.example = need.example;
      existing.given = given;
    }
    if (existing.description === undefined && need.description !== undefined) existing.description = need.description;
  };
  for (const finding of findings) {
    for (const { exampleGiven, ...field } of schemaFields(finding.schema)) add({ ...field, source: finding.source }, !!exampleGiven);
  }
  for (const field of handler) {
    const example = handlerExample(field);
    add({ name: field.name, required: field.required, ...(example !== undefined ? { example } : {}), source: 'handler' }, field.messageExample !== undefined || field.value !== undefined);
  }
  return [...byName.values()].map(({ given: _given, ...need }) => need);
}

function handlerExample(field: UseField): string | undefined {
  if (field.messageExample !== undefined) return field.messageExample;
  if (field.value !== undefined) return String(field.value);
  if (field.numeric && field.required) return '1';
  return undefined;
}

function bodyNeed(findings: Finding[], use: HandlerUse | undefined, method: string): BodyNeed | undefined {
  const first = findings[0];
  if (first) {
    const contentType = first.contentType ?? JSON_TYPE;
    const value = exampleValue(first.schema);
    const example = value === undefined ? undefined : contentType === JSON_TYPE ? JSON.stringify(value) : formatQuery(flatStrings(value)).slice(1);
    return { required: requiresSomething(first.schema), contentType, ...(example !== undefined ? { example } : {}), source: first.source };
  }
  const fields = (use?.fields ?? []).filter((f) => f.location === 'body');
  if (!BODY_METHODS.has(method) || (!fields.length && !use?.wholeBody)) return undefined;
  const schema: JsonSchema = objectSchema(fields.map((f): [string, Converted] => [f.name, { schema: handlerFieldSchema(f), optional: !f.required }]));
  return { required: true, contentType: JSON_TYPE, example: JSON.stringify(exampleValue(schema)), source: 'handler' };
}

function handlerFieldSchema(field: UseField): JsonSchema {
  if (field.value !== undefined) return { default: field.value };
  if (field.messageExample !== undefined) return { example: field.numeric && Number.isFinite(Number(field.messageExample)) ? Number(field.messageExample) : field.messageExample };
  return { type: field.numeric ? 'number' : 'string' };
}

function flatStrings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null && typeof v !== 'object') out[k] = String(v);
  return out;
}
