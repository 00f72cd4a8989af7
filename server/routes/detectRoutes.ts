// HTTP route handlers in one TypeScript/JavaScript file, found by walking its syntax tree (the
// TypeScript parser, which recovers from syntax errors): Express, Fastify, Koa (@koa/router),
// NestJS and Hono. Pure: no VS Code, no I/O; never throws.
import ts from 'typescript';
import { ROUTE_METHODS, ReceiverAnalyzer, frameworkOfModule, joinPrefix, type Framework, type ReceiverInfo } from './receivers';
import { Resolver, propertyNameText, requiredModule, skipOuter } from './resolve';
import { pathParams } from './samplePath';

export type { Framework } from './receivers';

export interface RouteInfo {
  framework: Framework;
  /** Upper case: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ALL. */
  method: string;
  /** As written, joined with prefixes when they are known in this file (e.g. '/api/users/:id'). */
  path: string;
  /** 0-based line of the statement / decorator the lens goes above. */
  line: number;
  /** 0-based column there. */
  character: number;
  /** The handler's function/method name, when it has one. */
  handlerName?: string;
  /** 0-based line where the handler starts when it is written inline (an arrow, a function expression, a method). */
  handlerLine?: number;
  /** Path parameters: ['id'] for '/users/:id' or '/users/{id}'; '*' for a bare wildcard. */
  params: string[];
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ALL']);

const NEST_METHODS: ReadonlyMap<string, string> = new Map([
  ['Get', 'GET'],
  ['Post', 'POST'],
  ['Put', 'PUT'],
  ['Patch', 'PATCH'],
  ['Delete', 'DELETE'],
  ['All', 'ALL'],
  ['Head', 'HEAD'],
  ['Options', 'OPTIONS'],
]);

/** The parser's script kind for a file name (.ts/.mts/.cts, .tsx, .js/.mjs/.cjs, .jsx; anything else: TS). */
export function scriptKindFor(fileName: string): ts.ScriptKind {
  const lower = fileName.toLowerCase();
  const dot = lower.lastIndexOf('.');
  switch (dot < 0 ? '' : lower.slice(dot)) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.TS;
  }
}

/** Where a route was declared, for the workspace analysis that joins prefixes other files apply. */
export interface RouteSite {
  route: RouteInfo;
  /** The app/router/plugin instance the route is declared on (`router` in `router.get(…)`); for NestJS, the controller class. */
  receiver: ts.Expression | ts.ClassLikeDeclaration;
  /** NestJS: the handler method. */
  member?: ts.MethodDeclaration;
  /** The path as written in the call ('/' in `router.get('/', …)`), before `prefix`. */
  written?: string;
  /** The prefix the receiver adds in this file (Koa `new Router({ prefix })`, Hono `basePath`, an inline Fastify `register`). */
  prefix?: string;
}

type Found = RouteInfo & { order: number; site: Omit<RouteSite, 'route'> };

/** Parses a file the way route detection does (parent pointers set: the resolver needs them). */
export function parseSource(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindFor(fileName));
}

/** The route handlers declared in a file, in source order. Never throws: what can be found in a broken file is returned. */
export function detectRoutes(fileName: string, text: string): RouteInfo[] {
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = parseSource(fileName, text);
  } catch {
    return [];
  }
  return detectRouteSites(sourceFile).map((site) => site.route);
}

/**
 * The route handlers of a parsed file with the receiver each is declared on, in source order. Never
 * throws. `constString` evaluates paths the file's own resolver cannot (e.g. constants from other files).
 */
export function detectRouteSites(sourceFile: ts.SourceFile, resolver = new Resolver(sourceFile), constString?: (expr: ts.Expression) => string | undefined): RouteSite[] {
  const found: Found[] = [];
  try {
    new Detector(sourceFile, found, resolver, constString).run();
  } catch {
    // Keep what was found before the failure.
  }
  found.sort((a, b) => a.line - b.line || a.character - b.character || a.order - b.order);
  return found.map(({ order: _order, site, ...route }) => ({ route, ...site }));
}

type HandlerArgument = ts.Expression | ts.ObjectLiteralElementLike;

class Detector {
  private readonly resolver: Resolver;
  private readonly receivers: ReceiverAnalyzer;
  /** The route frameworks this file imports (a fallback when a receiver's origin is unknown). */
  private readonly fileFrameworks: Framework[];

  constructor(
    private readonly sourceFile: ts.SourceFile,
    private readonly found: Found[],
    resolver: Resolver,
    private readonly fallback?: (expr: ts.Expression) => string | undefined,
  ) {
    this.resolver = resolver;
    this.receivers = new ReceiverAnalyzer(this.resolver);
    this.fileFrameworks = importedFrameworks(sourceFile);
  }

  run(): void {
    const visit = (node: ts.Node): void => {
      try {
        if (ts.isCallExpression(node)) this.call(node);
        else if (ts.isClassLike(node)) this.nestController(node);
      } catch {
        // One odd node must not cost the others.
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
  }

  private call(call: ts.CallExpression): void {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return;
    const name = callee.name.text;
    const method = ROUTE_METHODS.get(name);
    if (method) this.shorthand(call, callee, method);
    else if (name === 'route') this.fastifyRoute(call, callee);
    else if (name === 'on') this.honoOn(call, callee);
  }

  /** app.get('/x', …handlers), router.get('name', '/x', …) (Koa), app.route('/x').get(h).post(h) (Express). */
  private shorthand(call: ts.CallExpression, callee: ts.PropertyAccessExpression, method: string): void {
    const args = call.arguments;
    const paths = args.length >= 2 ? this.pathsOf(args[0]) : undefined;
    if (paths) {
      const handler = lastHandler(args.slice(1));
      if (!handler) return;
      const receiver = this.receivers.analyze(callee.expression);
      if (receiver.client) return;
      this.emit(call, callee.expression, callee.name, this.framework(receiver, handler), [method], paths, receiver.prefix, handler);
      return;
    }
    const routeName = args.length >= 3 ? this.resolver.constString(args[0]) : undefined;
    const namedPaths = routeName !== undefined && !isPathLike(routeName) ? this.pathsOf(args[1]) : undefined;
    if (namedPaths) {
      const handler = lastHandler(args.slice(2));
      if (!handler) return;
      const receiver = this.receivers.analyze(callee.expression);
      if (receiver.client) return;
      this.emit(call, callee.expression, callee.name, receiver.framework ?? 'koa', [method], namedPaths, receiver.prefix, handler);
      return;
    }
    // Express: app.route('/x').get(h).post(h) — walk down the chain to .route('/x').
    if (args.length === 0 || !args.every((a) => isHandlerish(a) && this.resolver.constString(a) === undefined)) return;
    let base = skipOuter(callee.expression);
    while (ts.isCallExpression(base) && ts.isPropertyAccessExpression(base.expression) && ROUTE_METHODS.has(base.expression.name.text) && base.arguments.every((a) => isHandlerish(a))) {
      base = skipOuter(base.expression.expression);
    }
    if (!ts.isCallExpression(base) || !ts.isPropertyAccessExpression(base.expression) || base.expression.name.text !== 'route' || base.arguments.length !== 1) return;
    const routePaths = this.pathsOf(base.arguments[0]);
    if (!routePaths) return;
    const receiver = this.receivers.analyze(base.expression.expression);
    if (receiver.client) return;
    this.emit(call, base.expression.expression, callee.name, receiver.framework ?? 'express', [method], routePaths, receiver.prefix, lastHandler(args));
  }

  /** Fastify: fastify.route({ method: 'GET' | ['GET', 'POST'], url: '/x', handler }). */
  private fastifyRoute(call: ts.CallExpression, callee: ts.PropertyAccessExpression): void {
    const options = call.arguments.length === 1 ? skipOuter(call.arguments[0]) : undefined;
    if (!options || !ts.isObjectLiteralExpression(options)) return;
    let methods: string[] | undefined;
    let paths: string[] | undefined;
    let handler: HandlerArgument | undefined;
    for (const property of options.properties) {
      const name = propertyNameText(property.name);
      if (name === 'handler') handler = property;
      else if (ts.isPropertyAssignment(property) && name === 'method') methods = this.methodsOf(property.initializer);
      else if (ts.isPropertyAssignment(property) && (name === 'url' || name === 'path')) paths = this.pathsOf(property.initializer);
    }
    if (!methods?.length || !paths || !handler) return;
    const receiver = this.receivers.analyze(callee.expression);
    if (receiver.client) return;
    this.emit(call, callee.expression, callee.name, receiver.framework ?? 'fastify', methods, paths, receiver.prefix, handler);
  }

  /** Hono: app.on('GET' | ['GET', 'POST'], '/x' | ['/x', '/y'], …handlers). */
  private honoOn(call: ts.CallExpression, callee: ts.PropertyAccessExpression): void {
    const args = call.arguments;
    if (args.length < 3) return;
    const methods = this.methodsOf(args[0]);
    const paths = methods?.length ? this.pathsOf(args[1]) : undefined;
    const handler = paths && lastHandler(args.slice(2));
    if (!methods || !paths || !handler) return;
    const receiver = this.receivers.analyze(callee.expression);
    if (receiver.client) return;
    this.emit(call, callee.expression, callee.name, receiver.framework ?? 'hono', methods, paths, receiver.prefix, handler);
  }

  /** NestJS: @Controller(prefix) class with @Get(path) / @Post … methods. */
  private nestController(cls: ts.ClassLikeDeclaration): void {
    const controller = decoratorsOf(cls).find((d) => this.decoratorName(d) === 'Controller');
    if (!controller) return;
    const prefixes = this.nestPaths(decoratorArgument(controller), true);
    if (!prefixes) return;
    for (const member of cls.members) {
      if (!ts.isMethodDeclaration(member)) continue;
      for (const decorator of decoratorsOf(member)) {
        const method = NEST_METHODS.get(this.decoratorName(decorator) ?? '');
        const paths = method ? this.nestPaths(decoratorArgument(decorator), false) : undefined;
        if (!method || !paths) continue;
        const start = this.sourceFile.getLineAndCharacterOfPosition(decorator.getStart(this.sourceFile));
        for (const prefix of prefixes) {
          for (const path of paths) {
            const joined = nestJoin(prefix, path);
            this.found.push({ framework: 'nestjs', method, path: joined, line: start.line, character: start.character, handlerName: propertyNameText(member.name), params: pathParams(joined), order: decorator.getStart(this.sourceFile), site: { receiver: cls, member } });
          }
        }
      }
    }
  }

  /** A Nest decorator's path argument: none → '', a string, an array of strings, or (for @Controller) { path }. */
  private nestPaths(arg: ts.Expression | undefined, controller: boolean): string[] | undefined {
    if (!arg) return [''];
    const expr = skipOuter(arg);
    if (controller && ts.isObjectLiteralExpression(expr)) {
      const path = expr.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'path');
      return path ? this.stringsOf(path.initializer) : [''];
    }
    return this.stringsOf(expr);
  }

  /** The decorator's name, seen through an import alias (`import { Get as HttpGet } from '@nestjs/common'`). */
  private decoratorName(decorator: ts.Decorator): string | undefined {
    let expr = skipOuter(decorator.expression);
    if (ts.isCallExpression(expr)) expr = skipOuter(expr.expression);
    if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
    if (!ts.isIdentifier(expr)) return undefined;
    const imported = this.resolver.importOf(this.resolver.declarationOf(expr));
    return imported && imported.name !== 'default' && imported.name !== '*' ? imported.name : expr.text;
  }

  /** One route per method and path; `paths` as written, `prefix` what the receiver adds in this file. */
  private emit(call: ts.CallExpression, receiver: ts.Expression, nameNode: ts.Node, framework: Framework, methods: string[], paths: string[], prefix: string, handler: HandlerArgument | undefined): void {
    const statement = statementOf(call);
    const start = this.sourceFile.getLineAndCharacterOfPosition(statement.getStart(this.sourceFile));
    const handlerName = handler && handlerNameOf(handler);
    const inline = handler && inlineFunction(handler);
    const handlerLine = inline && this.sourceFile.getLineAndCharacterOfPosition(inline.getStart(this.sourceFile)).line;
    const order = nameNode.getStart(this.sourceFile);
    for (const method of methods) {
      for (const written of paths) {
        const path = joinPrefix(prefix, written);
        this.found.push({ framework, method, path, line: start.line, character: start.character, ...(handlerName ? { handlerName } : {}), ...(handlerLine !== undefined ? { handlerLine } : {}), params: pathParams(path), order, site: { receiver, written, prefix } });
      }
    }
  }

  /** The receiver's framework if known; else the file's imports; else the handler's parameter names; else Express. */
  private framework(receiver: ReceiverInfo, handler: HandlerArgument): Framework {
    if (receiver.framework) return receiver.framework;
    const routers = this.fileFrameworks.filter((f) => f !== 'nestjs');
    if (routers.length === 1) return routers[0];
    return frameworkOfHandler(handler) ?? routers[0] ?? 'express';
  }

  /** A path (string starting with '/' or '*') or an array of them. */
  private pathsOf(expr: ts.Expression): string[] | undefined {
    const strings = this.stringsOf(expr);
    return strings && strings.length > 0 && strings.every(isPathLike) ? strings : undefined;
  }

  /** HTTP method names (any case) as a string or an array of strings, upper-cased; only known ones. */
  private methodsOf(expr: ts.Expression): string[] | undefined {
    const strings = this.stringsOf(expr);
    const methods = strings?.map((s) => s.toUpperCase());
    return methods && methods.length > 0 && methods.every((m) => HTTP_METHODS.has(m)) ? methods : undefined;
  }

  private constString(expr: ts.Expression): string | undefined {
    return this.resolver.constString(expr) ?? this.fallback?.(expr);
  }

  private stringsOf(expr: ts.Expression): string[] | undefined {
    const target = skipOuter(expr);
    const literal = ts.isArrayLiteralExpression(target) ? target : undefined;
    if (!literal) {
      const value = this.constString(target);
      return value === undefined ? undefined : [value];
    }
    const values: string[] = [];
    for (const element of literal.elements) {
      const value = this.constString(element);
      if (value === undefined) return undefined;
      values.push(value);
    }
    return values;
  }
}

function isPathLike(s: string): boolean {
  return s.startsWith('/') || s.startsWith('*');
}

/** Could this argument be a handler or middleware: a function, a name, a member, a call (a wrapper), an array or spread of those, an options object with a handler. */
function isHandlerish(arg: ts.Expression): boolean {
  const expr = skipOuter(arg);
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr) || ts.isPropertyAccessExpression(expr) || ts.isCallExpression(expr)) return true;
  if (ts.isIdentifier(expr)) return expr.text !== 'undefined';
  if (ts.isArrayLiteralExpression(expr)) return expr.elements.length > 0 && expr.elements.every(isHandlerish);
  if (ts.isSpreadElement(expr)) return isHandlerish(expr.expression);
  if (ts.isObjectLiteralExpression(expr)) return expr.properties.some((p) => propertyNameText(p.name) === 'handler');
  return false;
}

/** The handler itself when it is written in place: an arrow, a function expression, `async handler() {}`. */
function inlineFunction(arg: HandlerArgument): ts.Node | undefined {
  if (ts.isMethodDeclaration(arg)) return arg;
  const expr = ts.isPropertyAssignment(arg) ? skipOuter(arg.initializer) : isExpression(arg) ? skipOuter(arg) : undefined;
  if (!expr) return undefined;
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return expr;
  if (ts.isArrayLiteralExpression(expr) && expr.elements.length) return inlineFunction(expr.elements[expr.elements.length - 1]);
  return undefined;
}

/** The last handler-like argument (the handler; the ones before are middleware or options). */
function lastHandler(args: readonly ts.Expression[]): ts.Expression | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (isHandlerish(args[i])) return args[i];
  return undefined;
}

/** The handler's own name: listUsers, controller.list → 'list', function list() {}, asyncHandler(list), list.bind(x), { handler: list }. */
function handlerNameOf(arg: HandlerArgument, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  if (ts.isPropertyAssignment(arg)) return handlerNameOf(arg.initializer, depth + 1);
  if (ts.isShorthandPropertyAssignment(arg) || ts.isMethodDeclaration(arg)) return propertyNameText(arg.name);
  if (!isExpression(arg)) return undefined;
  const expr = skipOuter(arg);
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isFunctionExpression(expr)) return expr.name?.text;
  if (ts.isArrayLiteralExpression(expr)) return expr.elements.length ? handlerNameOf(expr.elements[expr.elements.length - 1], depth + 1) : undefined;
  if (ts.isObjectLiteralExpression(expr)) {
    const handler = expr.properties.find((p) => propertyNameText(p.name) === 'handler');
    return handler && handlerNameOf(handler, depth + 1);
  }
  if (ts.isCallExpression(expr)) {
    const callee = skipOuter(expr.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') return handlerNameOf(callee.expression, depth + 1);
    const inner = lastHandler(expr.arguments);
    return inner ? handlerNameOf(inner, depth + 1) : undefined;
  }
  return undefined;
}

function isExpression(node: HandlerArgument): node is ts.Expression {
  return !ts.isObjectLiteralElement(node);
}

/** (req, reply) → Fastify, (c) → Hono, (ctx) → Koa, (req, res) → Express. */
function frameworkOfHandler(arg: HandlerArgument): Framework | undefined {
  let fn: ts.Node = arg;
  if (ts.isPropertyAssignment(fn)) fn = fn.initializer;
  if (isExpression(fn as HandlerArgument)) fn = skipOuter(fn as ts.Expression);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn) && !ts.isMethodDeclaration(fn)) return undefined;
  const names = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  if (names[1] === 'reply') return 'fastify';
  if (names[0] === 'c') return 'hono';
  if (names[0] === 'ctx') return 'koa';
  if (names[1] === 'res' || names[1] === 'response') return 'express';
  return undefined;
}

function isStatementLike(node: ts.Node): boolean {
  return (node.kind >= ts.SyntaxKind.FirstStatement && node.kind <= ts.SyntaxKind.LastStatement) || ts.isExportAssignment(node) || ts.isPropertyDeclaration(node);
}

/** The statement holding a call (the lens goes above it): climbs out of chains, awaits, assignments… */
function statementOf(node: ts.Node): ts.Node {
  while (node.parent && !isStatementLike(node) && !ts.isSourceFile(node.parent) && !(ts.isArrowFunction(node.parent) && node.parent.body === node)) node = node.parent;
  return node;
}

function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return (ts.canHaveDecorators(node) && ts.getDecorators(node)) || [];
}

function decoratorArgument(decorator: ts.Decorator): ts.Expression | undefined {
  const expr = skipOuter(decorator.expression);
  return ts.isCallExpression(expr) ? expr.arguments[0] : undefined;
}

/** Nest joins segments with single slashes: ('users', ':id') → '/users/:id', ('', '') → '/'. */
function nestJoin(prefix: string, path: string): string {
  const segments = `${prefix}/${path}`.split('/').filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

/** Route frameworks named by the file's imports and top-level requires (types-only imports count). */
function importedFrameworks(sourceFile: ts.SourceFile): Framework[] {
  const frameworks = new Set<Framework>();
  const note = (module: string | undefined) => {
    const framework = module === undefined ? undefined : frameworkOfModule(module);
    if (framework) frameworks.add(framework);
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) note(statement.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && ts.isStringLiteral(statement.moduleReference.expression)) note(statement.moduleReference.expression.text);
    else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        let init = declaration.initializer && skipOuter(declaration.initializer);
        if (init && ts.isPropertyAccessExpression(init)) init = init.expression;
        if (init) note(requiredModule(init));
      }
    }
  }
  return [...frameworks];
}
