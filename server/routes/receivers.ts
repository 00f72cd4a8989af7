// What the receiver of a route call is: which framework's app/router (from how it was created, its
// type annotation, or the plugin it is a parameter of), the path prefix it adds when that is known in
// this file (Koa `new Router({ prefix })`, Hono `basePath()`, Fastify `register(fn, { prefix })`),
// or an HTTP client / cache whose `get('/x', …)` is not a route. Pure: no I/O.
import ts from 'typescript';
import { propertyNameText, skipOuter, type ImportRef, type Resolver } from './resolve';

export type Framework = 'express' | 'fastify' | 'koa' | 'nestjs' | 'hono';

export interface ReceiverInfo {
  framework?: Framework;
  /** Prefix added to the paths of routes declared on it ('' when none or unknown). */
  prefix: string;
  /** An HTTP client, test agent, cache…: its method calls are not routes. */
  client?: boolean;
}

/** Route methods; chaining them returns the same app/router. */
export const ROUTE_METHODS: ReadonlyMap<string, string> = new Map([
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['patch', 'PATCH'],
  ['delete', 'DELETE'],
  ['del', 'DELETE'],
  ['head', 'HEAD'],
  ['options', 'OPTIONS'],
  ['all', 'ALL'],
]);

/** The framework a module belongs to, for modules that say so. */
export function frameworkOfModule(module: string): Framework | undefined {
  if (module === 'express' || module.startsWith('express/')) return 'express';
  if (module === 'fastify' || module === 'fastify-plugin' || module.startsWith('@fastify/')) return 'fastify';
  if (module === '@koa/router' || module === 'koa-router' || module === 'koa') return 'koa';
  if (module === 'hono' || module.startsWith('hono/') || module.startsWith('@hono/')) return 'hono';
  if (module === '@nestjs/common' || module === '@nestjs/core') return 'nestjs';
  return undefined;
}

const CLIENT_MODULES = new Set(['axios', 'got', 'ky', 'superagent', 'supertest', 'node-fetch', 'undici', 'msw', 'nock', 'needle', 'request', 'http', 'https', 'http2', 'node:http', 'node:https', 'node:http2', 'cross-fetch', 'ofetch', 'redaxios', 'wretch']);

/** Receiver names that are never routers: HTTP clients, test agents, caches, maps, storage. */
function isClientName(name: string): boolean {
  const n = name.toLowerCase();
  return (
    ['axios', '$axios', 'http', '$http', 'https', 'http2', 'got', 'ky', 'superagent', 'supertest', 'request', 'needle', 'undici', 'fetch', '$', 'jquery', 'ajax', 'rest', 'nock', 'agent', 'headers', 'params', 'searchparams', 'query', 'storage', 'localstorage', 'sessionstorage', 'redis', 'store'].includes(n) ||
    n.endsWith('client') ||
    n.endsWith('mock') ||
    n.endsWith('cache') ||
    n.endsWith('map')
  );
}

function isClientModule(module: string): boolean {
  return CLIENT_MODULES.has(module);
}

function rightmostName(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : name.right.text;
}

function leftmostIdentifier(name: ts.EntityName): ts.Identifier {
  return ts.isIdentifier(name) ? name : leftmostIdentifier(name.left);
}

export class ReceiverAnalyzer {
  private readonly declarations = new Map<ts.Node, ReceiverInfo>();

  constructor(private readonly resolver: Resolver) {}

  analyze(expr: ts.Expression, depth = 0): ReceiverInfo {
    if (depth > 12) return { prefix: '' };
    expr = skipOuter(expr);
    if (ts.isIdentifier(expr)) {
      const declaration = this.resolver.declarationOf(expr);
      const info = declaration ? this.analyzeDeclaration(declaration, depth) : { prefix: '' };
      if (info.framework || info.client) return info;
      if (expr.text === 'fastify') return { ...info, framework: 'fastify' };
      if (isClientName(expr.text)) return { ...info, client: true };
      return info;
    }
    if (ts.isPropertyAccessExpression(expr)) {
      // this.router = express.Router() as a class property; otherwise judge by the name.
      const target = skipOuter(expr.expression);
      if (target.kind === ts.SyntaxKind.ThisKeyword) {
        const initializer = this.resolver.valueOf(expr);
        const info = initializer ? this.analyze(initializer, depth + 1) : { prefix: '' };
        const type = this.resolver.classPropertyType(target, expr.name.text);
        if (!info.framework && type) info.framework = this.frameworkOfType(type);
        if (info.framework || info.client) return info;
      }
      const imported = this.resolver.importRefOf(expr);
      if (imported && isClientModule(imported.module)) return { prefix: '', client: true };
      if (expr.name.text === 'fastify') return { prefix: '', framework: 'fastify' };
      if (isClientName(expr.name.text)) return { prefix: '', client: true };
      const base = this.analyze(target, depth + 1);
      return base.client ? { prefix: '', client: true } : { prefix: '' };
    }
    // `this.get('/x', …)`: a mock server (Mirage) or a wrapper class, not an app or router we know.
    if (expr.kind === ts.SyntaxKind.ThisKeyword) return { prefix: '', client: true };
    if (ts.isCallExpression(expr)) return this.analyzeCall(expr, depth);
    if (ts.isNewExpression(expr)) return this.analyzeNew(expr);
    return { prefix: '' };
  }

  private analyzeCall(call: ts.CallExpression, depth: number): ReceiverInfo {
    const callee = skipOuter(call.expression);
    const imported = this.resolver.importRefOf(callee);
    if (imported) {
      if (isClientModule(imported.module)) return { prefix: '', client: true };
      const framework = frameworkOfModule(imported.module);
      if (framework === 'express' && ['default', '*', 'Router', 'express'].includes(imported.name)) return { prefix: '', framework };
      if (framework === 'fastify' && imported.module === 'fastify') return { prefix: '', framework };
    }
    if (ts.isIdentifier(callee)) {
      // Not imported in this file (a snippet, a global): judge by the name.
      if (!imported && (callee.text === 'express' || callee.text === 'Router')) return { prefix: '', framework: 'express' };
      if (!imported && (callee.text === 'fastify' || callee.text === 'Fastify')) return { prefix: '', framework: 'fastify' };
      if (['supertest', 'request', 'nock', 'fetch'].includes(callee.text)) return { prefix: '', client: true };
      return { prefix: '' };
    }
    // require('express')() and require('fastify')({ logger: true }) were answered by the import above.
    if (!ts.isPropertyAccessExpression(callee)) return { prefix: '' };
    const method = callee.name.text;
    if (method === 'Router' && ts.isIdentifier(skipOuter(callee.expression)) && (skipOuter(callee.expression) as ts.Identifier).text === 'express') return { prefix: '', framework: 'express' };
    const base = this.analyze(callee.expression, depth + 1);
    if (base.client) return base;
    if (method === 'basePath') {
      const path = this.resolver.constString(call.arguments[0]);
      return { framework: base.framework ?? 'hono', prefix: path === undefined ? '' : joinPrefix(base.prefix, path) };
    }
    // Chained route/middleware declarations return the same app or router.
    if (ROUTE_METHODS.has(method) || method === 'use' || method === 'on') return base;
    if (['create', 'extend', 'defaults'].includes(method) && isClientName(this.rootName(callee.expression) ?? '')) return { prefix: '', client: true };
    return { prefix: '' };
  }

  private rootName(expr: ts.Expression): string | undefined {
    expr = skipOuter(expr);
    if (ts.isIdentifier(expr)) return expr.text;
    if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
    return undefined;
  }

  private analyzeNew(expr: ts.NewExpression): ReceiverInfo {
    const callee = skipOuter(expr.expression);
    const imported = this.resolver.importRefOf(callee);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    let framework: Framework | undefined;
    if (imported) {
      if (isClientModule(imported.module)) return { prefix: '', client: true };
      framework = frameworkOfModule(imported.module);
      if (framework === 'koa' && imported.module === 'koa') framework = undefined; // new Koa(): the app, not a router
    } else if (name === 'Hono' || name === 'OpenAPIHono') {
      framework = 'hono';
    } else if (name === 'Router' || name === 'KoaRouter') {
      framework = ts.isPropertyAccessExpression(callee) && rootIs(callee, 'express') ? 'express' : 'koa';
    }
    if (framework !== 'koa') return { prefix: '', framework };
    // new Router({ prefix: '/api' })
    const options = expr.arguments?.[0] && skipOuter(expr.arguments[0]);
    let prefix = '';
    if (options && ts.isObjectLiteralExpression(options)) {
      for (const property of options.properties) {
        if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === 'prefix') prefix = this.resolver.constString(property.initializer) ?? '';
      }
    }
    return { framework, prefix };
  }

  private analyzeDeclaration(declaration: ts.Node, depth: number): ReceiverInfo {
    const known = this.declarations.get(declaration);
    if (known) return known;
    const info: ReceiverInfo = { prefix: '' };
    this.declarations.set(declaration, info); // breaks cycles
    Object.assign(info, this.computeDeclaration(declaration, depth));
    return info;
  }

  private computeDeclaration(declaration: ts.Node, depth: number): ReceiverInfo {
    const imported = this.resolver.importOf(declaration);
    if (imported) return isClientModule(imported.module) ? { prefix: '', client: true } : { prefix: '' };
    if (ts.isVariableDeclaration(declaration)) {
      const info = declaration.initializer ? this.analyze(declaration.initializer, depth + 1) : { prefix: '' };
      if (!info.framework && declaration.type) info.framework = this.frameworkOfType(declaration.type);
      return info;
    }
    if (ts.isParameter(declaration)) return this.analyzeParameter(declaration, depth);
    return { prefix: '' };
  }

  private analyzeParameter(parameter: ts.ParameterDeclaration, depth: number): ReceiverInfo {
    if (parameter.type) {
      const framework = this.frameworkOfType(parameter.type);
      if (framework) return { framework, prefix: this.registerPrefix(parameter, depth) };
      return { prefix: '' };
    }
    const fn = parameter.parent;
    if (!ts.isFunctionLike(fn) || fn.parameters[0] !== parameter) return { prefix: '' };
    const parent = fn.parent;
    // fastify.register(async (instance) => { … }, { prefix: '/v1' })
    if (parent && ts.isCallExpression(parent) && parent.arguments[0] === fn) {
      const callee = skipOuter(parent.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register') return { framework: 'fastify', prefix: this.registerPrefix(parameter, depth) };
      const imported = this.resolver.importRefOf(callee);
      if (imported?.module === 'fastify-plugin' || (ts.isIdentifier(callee) && callee.text === 'fp')) return { framework: 'fastify', prefix: '' };
    }
    // const plugin: FastifyPluginAsync = async (fastify) => { … }
    if (parent && ts.isVariableDeclaration(parent) && parent.type && ts.isTypeReferenceNode(parent.type) && rightmostName(parent.type.typeName).startsWith('FastifyPlugin')) return { framework: 'fastify', prefix: '' };
    return { prefix: '' };
  }

  /** The prefix of `register(fn, { prefix: '/v1' })` when the parameter is fn's first and it is literal. */
  private registerPrefix(parameter: ts.ParameterDeclaration, depth: number): string {
    const fn = parameter.parent;
    const call = fn.parent;
    if (!ts.isFunctionLike(fn) || fn.parameters[0] !== parameter || !call || !ts.isCallExpression(call) || call.arguments[0] !== fn) return '';
    const callee = skipOuter(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'register') return '';
    const options = call.arguments[1] && skipOuter(call.arguments[1]);
    if (!options || !ts.isObjectLiteralExpression(options)) return '';
    for (const property of options.properties) {
      if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === 'prefix') {
        const prefix = this.resolver.constString(property.initializer);
        return prefix === undefined ? '' : joinPrefix(this.analyze(callee.expression, depth + 1).prefix, prefix);
      }
    }
    return '';
  }

  /** FastifyInstance, Hono, Express / Application / Router (by import), KoaRouter. */
  frameworkOfType(type: ts.TypeNode): Framework | undefined {
    if (!ts.isTypeReferenceNode(type)) return undefined;
    const name = rightmostName(type.typeName);
    const imported: ImportRef | undefined = this.resolver.importOf(this.resolver.declarationOf(leftmostIdentifier(type.typeName)));
    const fromModule = imported && frameworkOfModule(imported.module);
    if (name === 'FastifyInstance') return 'fastify';
    if (name === 'Hono' || name === 'OpenAPIHono') return 'hono';
    if (name === 'KoaRouter') return 'koa';
    if (name === 'Router') return fromModule === 'koa' ? 'koa' : fromModule === 'express' ? 'express' : undefined;
    if (name === 'Express' || name === 'Application' || name === 'IRouter') return fromModule === 'express' || !imported ? 'express' : undefined;
    return undefined;
  }
}

function rootIs(expr: ts.PropertyAccessExpression, name: string): boolean {
  const target = skipOuter(expr.expression);
  return ts.isIdentifier(target) && target.text === name;
}

/** Koa/Hono/Fastify prefix joining: '/api' + '/users' → '/api/users', '/api' + '/' → '/api'. */
export function joinPrefix(prefix: string, path: string): string {
  if (!prefix) return path;
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '' || path === '/') return base || '/';
  return base + (path.startsWith('/') ? path : `/${path}`);
}
