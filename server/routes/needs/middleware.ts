// Validation middleware in a route's argument list: express-validator chains and checkSchema
// (`query('q').notEmpty()`, `body('email').isEmail()`), and zod / joi schemas handed to a
// validating middleware (`zValidator('query', Q)`, `validate(Q)`, `validate({ query: Q })`,
// `celebrate({ [Segments.QUERY]: … })`). Written inline, in consts or arrays, or imported.
// Pure: no I/O.
import ts from 'typescript';
import { skipOuter } from '../resolve';
import type { FileContext, Program } from './program';
import { applyRule, newRuleState, ruleRequired, type RuleState } from './rules';
import { isPlainObject, type JsonSchema } from './schema';
import type { Finding, NeedSource, RequestPart } from './types';
import { convertSchema } from './validators';
import { UNKNOWN, evaluate, keyOf, libraryOf, unwindChain, type Library } from './values';

const EV_NAMES: Record<string, Library> = { query: 'express-validator', body: 'express-validator', header: 'express-validator', check: 'express-validator', checkSchema: 'express-validator', cookie: 'express-validator', param: 'express-validator' };
const EV_PARTS: Record<string, RequestPart | 'any' | undefined> = { query: 'query', body: 'body', header: 'headers', headers: 'headers', check: 'any' };
const SEGMENTS: Record<string, RequestPart> = { query: 'query', querystring: 'query', body: 'body', json: 'body', form: 'body', headers: 'headers', header: 'headers' };

interface EvField {
  part: RequestPart;
  path: string;
  state: RuleState;
}

/** The part `check()` / a bare schema applies to: the query for GET/HEAD/DELETE, else the body. */
function defaultPart(method: string): RequestPart {
  return method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS' ? 'query' : 'body';
}

/** Middleware expressions flattened: arrays, spreads, consts, imported lists; with the file each is in. */
function flatten(exprs: readonly ts.Expression[], file: FileContext, program: Program, out: Array<{ expr: ts.Expression; file: FileContext }> = [], depth = 0): Array<{ expr: ts.Expression; file: FileContext }> {
  if (depth > 8) return out;
  for (const expr of exprs) {
    const target = ts.isSpreadElement(expr) ? expr.expression : expr;
    const { node, file: at } = program.valueOf(target, file);
    if (ts.isArrayLiteralExpression(node)) flatten(node.elements, at, program, out, depth + 1);
    else out.push({ expr: node, file: at });
  }
  return out;
}

export function middlewareFindings(middleware: readonly ts.Expression[], file: FileContext, program: Program, method: string): Finding[] {
  const evFields: EvField[] = [];
  const findings: Finding[] = [];
  const seen = new Set<ts.Node>();
  const visit = (items: Array<{ expr: ts.Expression; file: FileContext }>, depth: number): void => {
    for (const { expr, file: at } of items) {
      if (depth > 6 || seen.has(expr)) continue;
      seen.add(expr);
      try {
        if (!ts.isCallExpression(expr)) continue;
        if (expressValidatorChain(expr, at, program, method, evFields)) continue;
        if (schemaMiddleware(expr, at, program, method, findings)) continue;
        // A wrapper: validate([...rules]), validate(rules), runValidation(query('q')…).
        visit(flatten(expr.arguments, at, program), depth + 1);
      } catch {
        // One odd middleware must not cost the others.
      }
    }
  };
  visit(flatten(middleware, file, program), 0);
  return [...evFindings(evFields), ...findings];
}

/** `query('q').optional().isInt()` / `checkSchema({…})`: fields noted; false when it is not express-validator. */
function expressValidatorChain(call: ts.CallExpression, file: FileContext, program: Program, method: string, out: EvField[]): boolean {
  const { root, steps } = unwindChain(call);
  if (!ts.isIdentifier(root) || libraryOf(root, file, EV_NAMES) !== 'express-validator' || !steps[0]?.args) return false;
  const head = steps[0];
  const value = (e: ts.Expression | undefined) => evaluate(e, file, program);
  if (head.name === 'checkSchema') {
    const schema = value(head.args![0]);
    const locations = value(head.args![1]);
    if (!isPlainObject(schema)) return true;
    for (const [path, spec] of Object.entries(schema)) {
      if (!isPlainObject(spec)) continue;
      const where = Array.isArray(spec.in) ? spec.in : typeof spec.in === 'string' ? [spec.in] : Array.isArray(locations) ? locations : [];
      const parts = where.map((w) => EV_PARTS[String(w)]).filter((p): p is RequestPart => !!p && p !== 'any');
      const state = newRuleState();
      for (const [rule, options] of Object.entries(spec)) {
        if (rule === 'in' || rule === 'errorMessage' || options === false) continue;
        const args = isPlainObject(options) && 'options' in options ? (Array.isArray(options.options) ? options.options : [options.options]) : [];
        if (rule === 'optional' && isPlainObject(options) && options.options === false) continue;
        applyRule(state, rule, args);
      }
      for (const part of parts.length ? parts : [defaultPart(method)]) out.push({ part, path, state });
    }
    return true;
  }
  const where = EV_PARTS[head.name];
  if (!where) return true;
  const part = where === 'any' ? defaultPart(method) : where;
  const fields = value(head.args![0]);
  const paths = Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : typeof fields === 'string' ? [fields] : [];
  const state = newRuleState();
  let negated = false;
  for (const step of steps.slice(1)) {
    if (!step.args) continue;
    if (step.name === 'not') {
      negated = true;
      continue;
    }
    const args = step.args.map((a) => value(a)).map((v) => (v === UNKNOWN ? undefined : v));
    if (step.name === 'optional' && args[0] === false) continue;
    applyRule(state, step.name, args, negated);
    negated = false;
  }
  for (const path of paths) out.push({ part, path, state });
  return true;
}

/** Fields to schemas per part; body paths nest ('user.name', 'tags.*'). */
function evFindings(fields: EvField[]): Finding[] {
  const findings: Finding[] = [];
  for (const part of ['query', 'body', 'headers'] as const) {
    const mine = fields.filter((f) => f.part === part);
    if (!mine.length) continue;
    const root: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const field of mine) {
      const segments = part === 'body' ? field.path.split('.') : [field.path];
      insertPath(root, segments, field.state);
    }
    findings.push({ source: 'express-validator', part, schema: root });
  }
  return findings;
}

function insertPath(root: JsonSchema, segments: string[], state: RuleState): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === '*') {
      node.type = 'array';
      delete node.properties;
      node.items ??= last ? { ...state.schema } : { type: 'object', properties: {}, required: [] };
      if (last) node.items = { ...node.items, ...state.schema };
      node = node.items;
      continue;
    }
    node.type = 'object';
    node.properties ??= {};
    node.required ??= [];
    const existing = node.properties[segment];
    const child: JsonSchema = last ? { ...existing, ...state.schema } : (existing ?? { type: 'object', properties: {}, required: [] });
    node.properties[segment] = child;
    if ((last ? ruleRequired(state) : true) && !node.required.includes(segment)) node.required.push(segment);
    node = child;
  }
}

const sourceOf = (kind: string): NeedSource | undefined => (kind === 'zod' ? 'zod' : kind === 'joi' ? 'joi' : kind === 'typebox' ? 'typebox' : undefined);

/** zValidator('query', Q), validate(Q), validateQuery(Q), validate({ query: Q, body: B }), celebrate({ [Segments.BODY]: … }). */
function schemaMiddleware(call: ts.CallExpression, file: FileContext, program: Program, method: string, out: Finding[]): boolean {
  const callee = skipOuter(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const args = call.arguments;
  const push = (part: RequestPart, expr: ts.Expression, at: FileContext, contentType?: string): boolean => {
    const converted = convertSchema(expr, at, program);
    const source = converted && sourceOf(converted.kind);
    if (!converted || !source) return false;
    out.push({ source, part, schema: converted.schema, ...(contentType ? { contentType } : {}) });
    return true;
  };
  const target = args.length >= 2 ? file.resolver.constString(args[0]) : undefined;
  if (target !== undefined && SEGMENTS[target]) return push(SEGMENTS[target], args[1], file, target === 'form' ? 'application/x-www-form-urlencoded' : undefined);
  let found = false;
  for (const arg of args) {
    const { node, file: at } = program.valueOf(arg, file);
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const key = keyOf(property.name, at, program)?.toLowerCase();
        const part = key === undefined ? undefined : SEGMENTS[key];
        const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
        if (part && value) found = push(part, value, at) || found;
      }
      continue;
    }
    const converted = convertSchema(node, at, program);
    const source = converted && sourceOf(converted.kind);
    if (!converted || !source) continue;
    found = true;
    // z.object({ query: z.object(…), body: … }) validated against { query, body, params }.
    const props = converted.schema.properties ?? {};
    const split = Object.entries(props).filter(([k, v]) => SEGMENTS[k] && (v.type === 'object' || v.properties));
    if (split.length && Object.keys(props).every((k) => SEGMENTS[k] || k === 'params')) {
      for (const [key, schema] of split) out.push({ source, part: SEGMENTS[key], schema });
      continue;
    }
    const part: RequestPart = /query/i.test(name) ? 'query' : /body|json/i.test(name) ? 'body' : /header/i.test(name) ? 'headers' : defaultPart(method);
    out.push({ source, part, schema: converted.schema });
  }
  return found;
}
