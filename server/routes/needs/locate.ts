// The route detectRoutes reported at (line, character), found again in the syntax tree: the route
// call with its middleware, options object and handler, or the Nest controller method; and the
// handler's function, followed through names, wrappers and `.bind`. Pure: no I/O.
import ts from 'typescript';
import { ROUTE_METHODS } from '../receivers';
import { propertyNameText, skipOuter } from '../resolve';
import type { FileContext, Located, Program } from './program';

export interface RouteRef {
  line: number;
  character: number;
  method: string;
  path: string;
}

export type RouteSite =
  | {
      kind: 'call';
      /** Arguments between the path and the handler (middleware, validators, Fastify options). */
      middleware: ts.Expression[];
      /** Fastify options: the shorthand's options object or route({…}) itself (seen through consts). */
      options?: Located<ts.ObjectLiteralExpression>;
      handler?: ts.Node;
    }
  | { kind: 'nest'; method: ts.MethodDeclaration };

export type FunctionNode = ts.FunctionLikeDeclaration;

export function findRouteSite(file: FileContext, program: Program, route: RouteRef): RouteSite | undefined {
  const sourceFile = file.sourceFile;
  const lineStarts = sourceFile.getLineStarts();
  if (!Number.isInteger(route.line) || route.line < 0 || route.line >= lineStarts.length) return undefined;
  const position = lineStarts[route.line] + Math.max(0, route.character | 0);
  const starting: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (node !== sourceFile && node.getStart(sourceFile) === position) starting.push(node);
    if (node.pos <= position && position < node.end) ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  for (const node of starting) {
    if (ts.isDecorator(node) && ts.isMethodDeclaration(node.parent)) return { kind: 'nest', method: node.parent };
  }
  const calls: ts.CallExpression[] = [];
  const collect = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node);
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, collect);
  };
  for (const node of starting) collect(node);
  let best: { call: ts.CallExpression; score: number } | undefined;
  for (const call of calls) {
    const score = scoreCall(call, file, program, route);
    if (score > 0 && (!best || score > best.score)) best = { call, score };
  }
  return best ? siteOfCall(best.call, file, program) : undefined;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = skipOuter(call.expression);
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** 0: not a route call; 1: a route call; +2 method matches; +1 path matches. */
function scoreCall(call: ts.CallExpression, file: FileContext, program: Program, route: RouteRef): number {
  const name = calleeName(call);
  if (!name) return 0;
  const strings = (expr: ts.Expression | undefined): string[] => {
    if (!expr) return [];
    const node = program.valueOf(expr, file).node;
    if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap((e) => strings(e));
    const text = file.resolver.constString(expr) ?? (ts.isStringLiteralLike(node) ? node.text : undefined);
    return text === undefined ? [] : [text];
  };
  const pathMatches = (paths: string[]) => paths.some((p) => route.path === p || route.path.endsWith(p) || p === '');
  const method = ROUTE_METHODS.get(name);
  if (method) {
    const first = strings(call.arguments[0]);
    const paths = first.length ? first : strings(call.arguments[1]);
    const isChained = paths.length === 0;
    if (isChained && !routeBase(call)) return 0;
    return 1 + (method === route.method ? 2 : 0) + (isChained || pathMatches(paths) ? 1 : 0);
  }
  if (name === 'route' && call.arguments.length === 1) {
    const options = program.valueOf(call.arguments[0], file);
    const object = options.node;
    if (!ts.isObjectLiteralExpression(object)) return 0;
    const property = (key: string) => {
      for (const p of object.properties) if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === key) return p.initializer;
      return undefined;
    };
    const methods = strings(property('method')).map((m) => m.toUpperCase());
    if (!methods.length) return 0;
    return 1 + (methods.includes(route.method) ? 2 : 0) + (pathMatches(strings(property('url') ?? property('path'))) ? 1 : 0);
  }
  if (name === 'on' && call.arguments.length >= 3) {
    const methods = strings(call.arguments[0]).map((m) => m.toUpperCase());
    if (!methods.length) return 0;
    return 1 + (methods.includes(route.method) ? 2 : 0) + (pathMatches(strings(call.arguments[1])) ? 1 : 0);
  }
  return 0;
}

/** Express `app.route('/x').get(h)`: the `.route('/x')` call below a chained method call. */
function routeBase(call: ts.CallExpression): ts.CallExpression | undefined {
  let base = skipOuter((skipOuter(call.expression) as ts.PropertyAccessExpression).expression);
  while (ts.isCallExpression(base) && ts.isPropertyAccessExpression(skipOuter(base.expression))) {
    const name = calleeName(base);
    if (name === 'route') return base;
    if (!name || !ROUTE_METHODS.has(name)) return undefined;
    base = skipOuter((skipOuter(base.expression) as ts.PropertyAccessExpression).expression);
  }
  return undefined;
}

function siteOfCall(call: ts.CallExpression, file: FileContext, program: Program): RouteSite {
  const name = calleeName(call);
  const args = [...call.arguments];
  if (name === 'route') {
    const options = program.valueOf(args[0], file);
    const object = options.node as ts.ObjectLiteralExpression;
    const middleware: ts.Expression[] = [];
    let handler: ts.Node | undefined;
    for (const property of object.properties) {
      const key = propertyNameText(property.name);
      if (key === 'handler') handler = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : property;
      else if ((key === 'preHandler' || key === 'preValidation' || key === 'onRequest') && ts.isPropertyAssignment(property)) middleware.push(property.initializer);
    }
    return { kind: 'call', middleware, options: { node: object, file: options.file }, handler };
  }
  let rest: ts.Expression[];
  if (name === 'on') rest = args.slice(2);
  else {
    const isText = (e: ts.Expression | undefined) => !!e && file.resolver.constString(e) !== undefined;
    rest = isText(args[0]) ? (isText(args[1]) ? args.slice(2) : args.slice(1)) : args;
  }
  const last = rest[rest.length - 1];
  let options: Located<ts.ObjectLiteralExpression> | undefined;
  let handler: ts.Node | undefined = last;
  const middleware: ts.Expression[] = [];
  for (const arg of rest) {
    const value = program.valueOf(arg, file);
    if (ts.isObjectLiteralExpression(value.node)) {
      options = { node: value.node, file: value.file };
      for (const property of value.node.properties) {
        const key = propertyNameText(property.name);
        if (key === 'handler' && arg === last) handler = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : property;
        else if ((key === 'preHandler' || key === 'preValidation') && ts.isPropertyAssignment(property)) middleware.push(property.initializer);
      }
    } else if (arg !== last) middleware.push(arg);
  }
  if (handler === last && options?.node === program.valueOf(last, file).node) handler = undefined;
  return { kind: 'call', middleware, options, handler };
}

/** The function a handler argument stands for: inline, a named function or const, `wrap(fn)`, `fn.bind(x)`, `controller.method`. */
export function functionOf(node: ts.Node | undefined, file: FileContext, program: Program, depth = 0): Located<FunctionNode> | undefined {
  if (!node || depth > 8) return undefined;
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return { node, file };
  if (ts.isPropertyAssignment(node)) return functionOf(node.initializer, file, program, depth + 1);
  if (ts.isVariableDeclaration(node)) return functionOf(node.initializer, file, program, depth + 1);
  if (!ts.isExpression(node as ts.Expression)) return undefined;
  const expr = skipOuter(node as ts.Expression);
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return { node: expr, file };
  if (ts.isIdentifier(expr)) {
    const declaration = program.declarationOf(expr, file);
    if (!declaration) return undefined;
    if (ts.isFunctionDeclaration(declaration.node)) return { node: declaration.node, file: declaration.file };
    if (ts.isVariableDeclaration(declaration.node) && declaration.node.initializer) return functionOf(declaration.node.initializer, declaration.file, program, depth + 1);
    if (ts.isMethodDeclaration(declaration.node) || ts.isArrowFunction(declaration.node) || ts.isFunctionExpression(declaration.node)) return { node: declaration.node, file: declaration.file };
    const value = program.valueOf(expr, file);
    return value.node !== expr ? functionOf(value.node, value.file, program, depth + 1) : undefined;
  }
  if (ts.isCallExpression(expr)) {
    const callee = skipOuter(expr.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') return functionOf(callee.expression, file, program, depth + 1);
    for (let i = expr.arguments.length - 1; i >= 0; i--) {
      const found = functionOf(expr.arguments[i], file, program, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(expr)) {
    const member = expr.name.text;
    const base = skipOuter(expr.expression);
    const namespace = ts.isIdentifier(base) ? program.declarationOf(base, file) : undefined;
    if (namespace && ts.isSourceFile(namespace.node)) {
      const exported = program.exported(namespace.file, member);
      return exported && functionOf(exported.node, exported.file, program, depth + 1);
    }
    const owner = program.valueOf(expr.expression, file);
    let classNode: ts.ClassLikeDeclaration | undefined;
    let classFile = owner.file;
    if (ts.isNewExpression(owner.node) && ts.isIdentifier(skipOuter(owner.node.expression))) {
      const cls = program.declarationOf(skipOuter(owner.node.expression) as ts.Identifier, owner.file);
      if (cls && ts.isClassDeclaration(cls.node)) {
        classNode = cls.node;
        classFile = cls.file;
      }
    } else if (ts.isObjectLiteralExpression(owner.node)) {
      for (const property of owner.node.properties) if (propertyNameText(property.name) === member) return functionOf(ts.isMethodDeclaration(property) ? property : ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined, owner.file, program, depth + 1);
    } else if (skipOuter(expr.expression).kind === ts.SyntaxKind.ThisKeyword) {
      classNode = ts.findAncestor(expr, ts.isClassLike);
      classFile = file;
    }
    if (!classNode) return undefined;
    for (const m of classNode.members) {
      if (propertyNameText(m.name) !== member) continue;
      if (ts.isMethodDeclaration(m)) return { node: m, file: classFile };
      if (ts.isPropertyDeclaration(m) && m.initializer) return functionOf(m.initializer, classFile, program, depth + 1);
    }
  }
  return undefined;
}
