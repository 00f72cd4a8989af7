// What a handler's own code reads from the request when no schema says more: `req.query.q`,
// `const { q } = req.query`, `request.query.q` (Fastify), `ctx.query.q` / `ctx.request.query.q`
// (Koa), `c.req.query('q')` (Hono), `req.body.x`, `req.headers['x-key']`, `req.get('x')`; whether
// it rejects their absence (`if (!q) throw …400`), an example from that rejection's message
// ('q is required, e.g. /search?q=gift'), a default (`?? 20`, `{ default: 20 }`), and which
// schemas it validates the request with (`Q.parse(req.query)`). Pure: no I/O.
import ts from 'typescript';
import { propertyNameText, skipOuter } from '../resolve';
import type { FunctionNode } from './locate';
import type { FileContext, Located, Program } from './program';
import { UNKNOWN, evaluate } from './values';

export type Location = 'query' | 'body' | 'headers';

export interface FieldRef {
  location: Location;
  name: string;
}

export interface UseField extends FieldRef {
  required: boolean;
  /** A default or example value the code shows (`?? 20`, the rejection message's `q=gift`). */
  value?: unknown;
  /** From the rejection message (preferred as an example over a default). */
  messageExample?: string;
  numeric?: boolean;
}

export interface SchemaUse {
  location: Location;
  expr: ts.Expression;
  file: FileContext;
}

export interface HandlerUse {
  fields: UseField[];
  /** The body is used as a whole (passed on, spread) besides any field reads. */
  wholeBody: boolean;
  schemas: SchemaUse[];
}

export interface Seeds {
  /** Names bound to the request (req, request, ctx, c). Default: the function's first parameter. */
  requestVars?: string[];
  /** Names bound to the query/body/headers object (Nest `@Query() query`). */
  objects?: Array<[string, Location]>;
  /** Names bound to one field (Nest `@Query('q') q`). */
  fields?: Array<[string, FieldRef]>;
}

const LOCATIONS: Record<string, Location> = { query: 'query', body: 'body', headers: 'headers' };
const PARSE_METHODS = new Set(['parse', 'safeParse', 'parseAsync', 'safeParseAsync', 'spa', 'validate', 'validateAsync', 'validateSync', 'Check', 'Parse', 'Decode', 'Assert', 'attempt', 'assert']);
const HONO_REQUEST_METHODS = new Set(['query', 'queries', 'header', 'param', 'json', 'valid', 'parseBody']);
const STRING_METHODS = new Set(['trim', 'toString', 'toLowerCase', 'toUpperCase', 'trimStart', 'trimEnd', 'length', 'normalize']);

export function analyzeHandler(fn: Located<FunctionNode>, program: Program, seeds: Seeds = {}): HandlerUse {
  const analyzer = new HandlerAnalyzer(fn.node, fn.file, program, seeds);
  try {
    analyzer.run();
  } catch {
    // Keep what was found.
  }
  return analyzer.result();
}

class HandlerAnalyzer {
  private readonly requestVars = new Set<string>();
  private readonly honoContexts = new Set<string>();
  private readonly objects = new Map<string, Location>();
  private readonly tracked = new Map<string, FieldRef>();
  private readonly fields = new Map<string, UseField>();
  private readonly schemas: SchemaUse[] = [];
  private wholeBody = false;
  private readonly strings: string[] = [];

  constructor(
    private readonly fn: FunctionNode,
    private readonly file: FileContext,
    private readonly program: Program,
    seeds: Seeds,
  ) {
    for (const name of seeds.requestVars ?? []) this.requestVars.add(name);
    for (const [name, location] of seeds.objects ?? []) this.objects.set(name, location);
    for (const [name, ref] of seeds.fields ?? []) {
      this.tracked.set(name, ref);
      this.field(ref);
    }
    if (!seeds.requestVars) {
      const first = fn.parameters[0];
      if (first && ts.isIdentifier(first.name)) this.requestVars.add(first.name.text);
      else if (first && ts.isObjectBindingPattern(first.name)) this.bindRequestPattern(first.name);
    }
  }

  result(): HandlerUse {
    for (const field of this.fields.values()) {
      if (field.messageExample !== undefined) continue;
      for (const text of this.strings) {
        const example = exampleIn(text, field.name, true);
        if (example !== undefined) {
          field.messageExample = example;
          break;
        }
      }
    }
    return { fields: [...this.fields.values()], wholeBody: this.wholeBody, schemas: this.schemas };
  }

  run(): void {
    const body = this.fn.body;
    if (!body) return;
    // Hono contexts: `c.get('user')` is a context variable, not a header (Koa's `ctx.get('x')` is one).
    this.walk(body, (node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && HONO_REQUEST_METHODS.has(node.expression.name.text)) {
        const req = skipOuter(node.expression.expression);
        if (ts.isPropertyAccessExpression(req) && req.name.text === 'req' && ts.isIdentifier(req.expression)) this.honoContexts.add(req.expression.text);
      }
    });
    for (const name of this.requestVars) if (name === 'c') this.honoContexts.add(name);
    // Aliases first (a few rounds: `const r = ctx.request; const { query } = r; const q = query.q`).
    for (let round = 0; round < 3; round++) this.walk(body, (node) => this.alias(node));
    this.walk(body, (node) => this.use(node));
  }

  private walk(root: ts.Node, visit: (node: ts.Node) => void): void {
    const go = (node: ts.Node): void => {
      visit(node);
      ts.forEachChild(node, go);
    };
    go(root);
  }

  private field(ref: FieldRef): UseField {
    const key = `${ref.location}\u0000${ref.name}`;
    let field = this.fields.get(key);
    if (!field) {
      field = { location: ref.location, name: ref.name, required: false };
      this.fields.set(key, field);
    }
    return field;
  }

  private bindRequestPattern(pattern: ts.ObjectBindingPattern): void {
    for (const element of pattern.elements) {
      const key = propertyNameText(element.propertyName ?? element.name);
      const location = key === undefined ? undefined : LOCATIONS[key];
      if (key === 'req' || key === 'request') {
        if (ts.isIdentifier(element.name)) this.requestVars.add(element.name.text);
        continue;
      }
      if (!location) continue;
      if (ts.isIdentifier(element.name)) this.objects.set(element.name.text, location);
      else if (ts.isObjectBindingPattern(element.name)) this.bindFields(element.name, location);
    }
  }

  private bindFields(pattern: ts.ObjectBindingPattern, location: Location): void {
    for (const element of pattern.elements) {
      if (element.dotDotDotToken) {
        if (location === 'body') this.wholeBody = true;
        continue;
      }
      const key = propertyNameText(element.propertyName ?? element.name);
      if (key === undefined) continue;
      const ref = { location, name: key };
      const field = this.field(ref);
      if (ts.isIdentifier(element.name)) this.tracked.set(element.name.text, ref);
      if (element.initializer) this.noteDefault(field, element.initializer);
    }
  }

  private isRequest(expr: ts.Expression): boolean {
    const node = skipOuter(expr);
    if (ts.isIdentifier(node)) return isReference(node) && this.requestVars.has(node.text);
    if (ts.isPropertyAccessExpression(node) && (node.name.text === 'req' || node.name.text === 'request')) return this.isRequest(node.expression);
    return false;
  }

  /** The query/body/headers object an expression is, if it is one. */
  private objectLocation(expr: ts.Expression): Location | undefined {
    let node = skipOuter(expr);
    if (ts.isAwaitExpression(node)) node = skipOuter(node.expression);
    if (ts.isIdentifier(node)) return isReference(node) ? this.objects.get(node.text) : undefined;
    if (ts.isPropertyAccessExpression(node)) {
      const location = LOCATIONS[node.name.text];
      return location && this.isRequest(node.expression) ? location : undefined;
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(skipOuter(node.expression))) {
      const callee = skipOuter(node.expression) as ts.PropertyAccessExpression;
      if (!this.isRequest(callee.expression)) return undefined;
      const name = callee.name.text;
      // Hono: c.req.query(), c.req.json(), c.req.parseBody(), c.req.header(), c.req.valid('query').
      if (node.arguments.length === 0) {
        if (name === 'query' || name === 'queries') return 'query';
        if (name === 'json' || name === 'parseBody' || name === 'formData' || name === 'text') return 'body';
        if (name === 'header') return 'headers';
      }
      if (name === 'valid' && node.arguments.length === 1) {
        const target = this.file.resolver.constString(node.arguments[0]);
        return target === 'query' ? 'query' : target === 'json' || target === 'form' ? 'body' : target === 'header' ? 'headers' : undefined;
      }
    }
    return undefined;
  }

  /** A direct read of one field: `req.query.q`, `req.query['q']`, `c.req.query('q')`, `req.get('x')`. */
  private fieldRead(expr: ts.Expression): FieldRef | undefined {
    const node = skipOuter(expr);
    if (ts.isPropertyAccessExpression(node)) {
      const location = this.objectLocation(node.expression);
      return location ? { location, name: node.name.text } : undefined;
    }
    if (ts.isElementAccessExpression(node)) {
      const location = this.objectLocation(node.expression);
      const name = location && this.file.resolver.constString(node.argumentExpression);
      return location && name !== undefined ? { location, name } : undefined;
    }
    if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const callee = skipOuter(node.expression);
      if (!ts.isPropertyAccessExpression(callee)) return undefined;
      const name = this.file.resolver.constString(node.arguments[0]);
      if (name === undefined) return undefined;
      const method = callee.name.text;
      if (this.isRequest(callee.expression)) {
        if (method === 'query' || method === 'queries') return { location: 'query', name };
        const base = skipOuter(callee.expression);
        const hono = ts.isIdentifier(base) && this.honoContexts.has(base.text);
        if (method === 'header' || (method === 'get' && !hono)) return { location: 'headers', name };
      }
      // Map-like headers: req.headers.get('x') (fetch Request).
      if (method === 'get' && this.objectLocation(callee.expression) === 'headers') return { location: 'headers', name };
    }
    return undefined;
  }

  /** A read, or a name bound to one. */
  private ref(expr: ts.Expression): FieldRef | undefined {
    const node = skipOuter(expr);
    if (ts.isIdentifier(node)) return isReference(node) ? this.tracked.get(node.text) : undefined;
    return this.fieldRead(node);
  }

  /** The field behind `x`, `x.trim()`, `x.length`, `x?.toString()`. */
  private baseRef(expr: ts.Expression): FieldRef | undefined {
    const node = skipOuter(expr);
    const direct = this.ref(node);
    if (direct) return direct;
    if (ts.isPropertyAccessExpression(node) && STRING_METHODS.has(node.name.text)) return this.baseRef(node.expression);
    if (ts.isCallExpression(node)) {
      const callee = skipOuter(node.expression);
      if (ts.isPropertyAccessExpression(callee) && STRING_METHODS.has(callee.name.text)) return this.baseRef(callee.expression);
      if (ts.isIdentifier(callee) && /^(Number|parseInt|parseFloat|String|Boolean)$/.test(callee.text) && node.arguments.length) return this.baseRef(node.arguments[0]);
    }
    return undefined;
  }

  private readsIn(expr: ts.Expression): FieldRef[] {
    const found = new Map<string, FieldRef>();
    const go = (node: ts.Node): void => {
      if (ts.isExpression(node as ts.Expression)) {
        const ref = this.fieldRead(node as ts.Expression) ?? (ts.isIdentifier(node) && isReference(node) ? this.tracked.get(node.text) : undefined);
        if (ref) {
          found.set(`${ref.location}\u0000${ref.name}`, ref);
          return;
        }
      }
      if (!ts.isFunctionLike(node)) ts.forEachChild(node, go);
    };
    go(expr);
    return [...found.values()];
  }

  private alias(node: ts.Node): void {
    if (!ts.isVariableDeclaration(node) || !node.initializer) return;
    const init = node.initializer;
    if (ts.isIdentifier(node.name)) {
      const name = node.name.text;
      if (this.objects.has(name) || this.tracked.has(name) || this.requestVars.has(name)) return;
      const location = this.objectLocation(init);
      if (location) {
        this.objects.set(name, location);
        return;
      }
      if (this.isRequest(init)) {
        this.requestVars.add(name);
        return;
      }
      const reads = this.readsIn(init);
      if (reads.length === 1) {
        this.tracked.set(name, reads[0]);
        const field = this.field(reads[0]);
        this.noteHints(field, init);
      }
      return;
    }
    if (ts.isObjectBindingPattern(node.name)) {
      const location = this.objectLocation(init);
      if (location) this.bindFields(node.name, location);
      else if (this.isRequest(init)) this.bindRequestPattern(node.name);
    }
  }

  /** Defaults and number-ness shown by the expression a field's value is bound to. */
  private noteHints(field: UseField, init: ts.Expression): void {
    const go = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken) && this.readsIn(node.left).length) this.noteDefault(field, node.right);
      if (ts.isCallExpression(node) && node.arguments.some((a) => this.readsIn(a).length)) {
        const callee = skipOuter(node.expression);
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (/^(Number|parseInt|parseFloat)$|int|float|number/i.test(name)) field.numeric = true;
        for (const arg of node.arguments) {
          const value = skipOuter(arg);
          if (!ts.isObjectLiteralExpression(value)) continue;
          for (const property of value.properties) if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === 'default') this.noteDefault(field, property.initializer);
        }
      }
      if (!ts.isFunctionLike(node)) ts.forEachChild(node, go);
    };
    go(init);
  }

  private noteDefault(field: UseField, expr: ts.Expression): void {
    if (field.value !== undefined) return;
    const value = evaluate(expr, this.file, this.program);
    if (value !== UNKNOWN && value !== undefined && value !== null && value !== '' && typeof value !== 'object') field.value = value;
  }

  private use(node: ts.Node): void {
    if (ts.isStringLiteralLike(node)) this.strings.push(node.text);
    else if (ts.isTemplateExpression(node)) this.strings.push(node.head.text, ...node.templateSpans.map((s) => s.literal.text));
    if (!ts.isExpression(node as ts.Expression) && !ts.isIfStatement(node)) return;
    if (ts.isIfStatement(node)) {
      this.condition(node.expression, node.thenStatement);
      return;
    }
    const expr = node as ts.Expression;
    const read = this.fieldRead(expr);
    if (read) {
      const field = this.field(read);
      if (ts.isBinaryExpression(expr.parent) && expr.parent.left === expr && (expr.parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || expr.parent.operatorToken.kind === ts.SyntaxKind.BarBarToken)) this.noteDefault(field, expr.parent.right);
      if (ts.isCallExpression(expr.parent) && expr.parent.arguments.includes(expr)) this.noteHints(field, expr.parent);
      return;
    }
    if (ts.isCallExpression(expr)) {
      this.parseCall(expr);
      this.assertCall(expr);
    }
    const location = this.objectLocation(expr);
    if (location === 'body' && !isObjectOfAccess(expr)) {
      const parent = expr.parent;
      const isDeclaration = ts.isVariableDeclaration(parent) && parent.initializer === expr;
      if (!isDeclaration && !(ts.isAwaitExpression(parent) && ts.isVariableDeclaration(parent.parent))) this.wholeBody = true;
    }
  }

  /** `Q.parse(req.query)`, `schema.validate(req.body)`, `Joi.attempt(req.query, schema)`, `Value.Check(T, req.body)`. */
  private parseCall(call: ts.CallExpression): void {
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !PARSE_METHODS.has(callee.name.text)) return;
    const owner = skipOuter(callee.expression);
    const ownerName = ts.isIdentifier(owner) ? owner.text : '';
    let schema: ts.Expression | undefined;
    let data: ts.Expression | undefined;
    if (ownerName === 'Value' || ownerName === 'TypeCompiler') [schema, data] = call.arguments;
    else if (/^joi$/i.test(ownerName) && (callee.name.text === 'attempt' || callee.name.text === 'assert')) [data, schema] = call.arguments;
    else [schema, data] = [callee.expression, call.arguments[0]];
    const location = data && this.objectLocation(data);
    if (location && schema) this.schemas.push({ location, expr: schema, file: this.file });
  }

  /** Koa `ctx.assert(q, 400, …)`, `assert(q, …)`. */
  private assertCall(call: ts.CallExpression): void {
    const callee = skipOuter(call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if ((name !== 'assert' && name !== 'ok') || !call.arguments.length) return;
    const ref = this.baseRef(call.arguments[0]);
    if (!ref) return;
    const field = this.field(ref);
    field.required = true;
    for (const arg of call.arguments.slice(1)) this.noteMessage(field, arg);
  }

  private condition(cond: ts.Expression, then: ts.Statement): void {
    const refs = this.absent(cond);
    if (!refs.length || !rejects(then)) return;
    for (const ref of refs) {
      const field = this.field(ref);
      field.required = true;
      this.noteMessage(field, then);
    }
  }

  private noteMessage(field: UseField, node: ts.Node): void {
    if (field.messageExample !== undefined) return;
    const go = (n: ts.Node): void => {
      if (field.messageExample !== undefined) return;
      const texts = ts.isStringLiteralLike(n) ? [n.text] : ts.isTemplateExpression(n) ? [n.head.text, ...n.templateSpans.map((s) => s.literal.text)] : [];
      for (const text of texts) {
        const example = exampleIn(text, field.name, false);
        if (example !== undefined) field.messageExample = example;
      }
      ts.forEachChild(n, go);
    };
    go(node);
  }

  /** The fields whose absence makes a condition true: `!q`, `q === undefined`, `typeof q !== 'string'`, `!q || …`, `q.length === 0`. */
  private absent(cond: ts.Expression): FieldRef[] {
    const node = skipOuter(cond);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      const ref = this.baseRef(node.operand);
      return ref ? [ref] : [];
    }
    if (ts.isCallExpression(node)) {
      const callee = skipOuter(node.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (name === 'isNaN' && node.arguments.length) {
        const ref = this.baseRef(node.arguments[0]);
        return ref ? [ref] : [];
      }
      return [];
    }
    if (!ts.isBinaryExpression(node)) return [];
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return [...this.absent(node.left), ...this.absent(node.right)];
    const equality = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const inequality = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!equality && !inequality && op !== ts.SyntaxKind.LessThanToken) return [];
    for (const [a, b] of [[node.left, node.right], [node.right, node.left]] as const) {
      const other = skipOuter(b);
      const typeofOf = ts.isTypeOfExpression(skipOuter(a)) ? (skipOuter(a) as ts.TypeOfExpression).expression : undefined;
      if (typeofOf) {
        const ref = this.baseRef(typeofOf);
        const type = ts.isStringLiteralLike(other) ? other.text : undefined;
        if (ref && ((inequality && type !== 'undefined') || (equality && type === 'undefined'))) return [ref];
        continue;
      }
      const isNothing = (ts.isIdentifier(other) && other.text === 'undefined') || other.kind === ts.SyntaxKind.NullKeyword || (ts.isStringLiteralLike(other) && other.text === '');
      const isZero = ts.isNumericLiteral(other) && (other.text === '0' || (op === ts.SyntaxKind.LessThanToken && other.text === '1'));
      if (equality && isNothing) {
        const ref = this.baseRef(a);
        if (ref) return [ref];
      }
      if ((equality || op === ts.SyntaxKind.LessThanToken) && isZero && ts.isPropertyAccessExpression(skipOuter(a)) && (skipOuter(a) as ts.PropertyAccessExpression).name.text === 'length') {
        const ref = this.baseRef(a);
        if (ref) return [ref];
      }
    }
    return [];
  }
}

/** An identifier that refers to a binding (not a declared name, a member name or a key). */
function isReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (!parent) return true;
  if ((ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) && (parent as ts.PropertyAccessExpression).name === id) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isBindingElement(parent) || ts.isParameter(parent) || ts.isFunctionLike(parent) || ts.isClassLike(parent)) && (parent as ts.NamedDeclaration).name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === id) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  return true;
}

function isObjectOfAccess(expr: ts.Expression): boolean {
  const parent = expr.parent;
  return (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === expr;
}

/** Does a branch reject the request: a throw, a 4xx status, a BadRequest… error? */
function rejects(statement: ts.Node): boolean {
  let found = false;
  const go = (node: ts.Node): void => {
    if (found) return;
    if (ts.isThrowStatement(node)) found = true;
    else if (ts.isNumericLiteral(node) && Number(node.text) >= 400 && Number(node.text) < 500) found = true;
    else if (ts.isIdentifier(node) && /badrequest|unprocessable|validation/i.test(node.text)) found = true;
    else if (!ts.isFunctionLike(node)) ts.forEachChild(node, go);
  };
  go(statement);
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `q=gift` in a message ('q is required, e.g. /search?q=gift'); `strict`: only after ? or &. */
export function exampleIn(text: string, name: string, strict: boolean): string | undefined {
  const lead = strict ? '[?&]' : '(?:^|[?&\\s(\'"`])';
  const match = new RegExp(`${lead}${escapeRegExp(name)}=([^&\\s'"\`)\\],;]+)`).exec(text);
  if (!match) return undefined;
  const value = match[1].replace(/[.…]+$/, '');
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
