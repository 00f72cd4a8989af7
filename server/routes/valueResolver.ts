// What an expression stands for, across files: an app/router instance (where it was created), a
// function (a plugin, a router factory), a class, a module, an object literal, or something from a
// package. Follows local names, imports / require / import() through the module resolver, exports
// and re-exports, and the return values of called functions. Bounded (depth, steps, cycles); never
// throws. Also evaluates constant strings whose parts live in other files. Pure.
import ts from 'typescript';
import { frameworkOfModule, ROUTE_METHODS } from './receivers';
import { type ImportRef, joinedString, propertyNameText, requiredModule, skipOuter } from './resolve';
import type { ContextSource } from './fileContext';
import type { ModuleResolver } from './moduleResolver';
import { moduleExports, type ExportEntry } from './moduleExports';

export type Target =
  | { kind: 'instance'; node: ts.Node }
  | { kind: 'function'; node: ts.SignatureDeclaration }
  | { kind: 'class'; node: ts.ClassLikeDeclaration }
  /** `new C()` of a class of the workspace: its members are the class's properties. */
  | { kind: 'classInstance'; node: ts.ClassLikeDeclaration }
  | { kind: 'module'; file: string }
  | { kind: 'object'; node: ts.ObjectLiteralExpression }
  | { kind: 'external'; module: string; name: string };

const MAX_DEPTH = 24;
const MAX_STEPS = 200_000;
/** Methods that return the app/router they are called on (chaining), or the router's middleware (Koa `routes()`). */
const SAME_INSTANCE = new Set([...ROUTE_METHODS.keys(), 'use', 'on', 'route', 'basePath', 'routes', 'middleware', 'register']);

/** A stable identity for a node: file and position. */
export function nodeKey(node: ts.Node): string {
  return `${node.getSourceFile().fileName}#${node.pos}-${node.end}:${node.kind}`;
}

export class ValueResolver {
  private readonly memo = new Map<ts.Node, Target[]>();
  private readonly exportMemo = new Map<string, Target[]>();
  private steps = 0;
  private readonly wrapped = new WeakSet<ts.Node>();

  constructor(
    private readonly files: ContextSource,
    private readonly modules: ModuleResolver,
  ) {}

  /** A plugin seen wrapped in fastify-plugin: it runs in the instance registering it, so a `prefix` option does not apply. */
  skipsEncapsulation(target: Target): boolean {
    return target.kind === 'function' && this.wrapped.has(target.node);
  }

  /** The identity of the app/router/plugin instance a target is: the creating expression, a parameter (a plugin's first), a class. */
  keyOf(target: Target): string | undefined {
    if (target.kind === 'instance' || target.kind === 'class') return nodeKey(target.node);
    if (target.kind === 'function') return target.node.parameters[0] ? nodeKey(target.node.parameters[0]) : undefined;
    return undefined;
  }

  /** The instance keys an expression can be (an app or router, or a plugin's instance when it is a function). */
  instanceKeys(expr: ts.Expression): string[] {
    const keys = new Set<string>();
    for (const target of this.resolve(expr)) {
      const key = target.kind === 'instance' || target.kind === 'function' ? this.keyOf(target) : undefined;
      if (key) keys.add(key);
    }
    return [...keys];
  }

  resolve(expr: ts.Expression, depth = 0): Target[] {
    if (depth > MAX_DEPTH || ++this.steps > MAX_STEPS) return [];
    const known = this.memo.get(expr);
    if (known) return known;
    this.memo.set(expr, []); // a cycle resolves to nothing
    let targets: Target[];
    try {
      targets = dedupe(this.compute(expr, depth));
    } catch {
      targets = [];
    }
    this.memo.set(expr, targets);
    return targets;
  }

  private compute(outer: ts.Expression, depth: number): Target[] {
    const expr = skipOuter(outer);
    if (expr !== outer) return this.resolve(expr, depth + 1);
    const { resolver, file } = this.files.ofNode(expr);
    if (ts.isAwaitExpression(expr)) return this.resolve(expr.expression, depth + 1);
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return [{ kind: 'function', node: expr }];
    if (ts.isClassExpression(expr)) return [{ kind: 'class', node: expr }];
    if (ts.isObjectLiteralExpression(expr)) return [{ kind: 'object', node: expr }];
    if (ts.isConditionalExpression(expr)) return [...this.resolve(expr.whenTrue, depth + 1), ...this.resolve(expr.whenFalse, depth + 1)];
    if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(expr.operatorToken.kind)) {
      return [...this.resolve(expr.left, depth + 1), ...this.resolve(expr.right, depth + 1)];
    }
    if (ts.isIdentifier(expr)) {
      if (expr.text === 'undefined') return [];
      const declaration = resolver.declarationOf(expr);
      if (!declaration) return [];
      return this.declarationTargets(declaration, file, depth);
    }
    if (ts.isPropertyAccessExpression(expr) || (ts.isElementAccessExpression(expr) && ts.isStringLiteralLike(expr.argumentExpression))) {
      const ref = resolver.importRefOf(expr);
      if (ref) return this.importTargets(file, ref, depth);
      const name = ts.isPropertyAccessExpression(expr) ? expr.name.text : (expr.argumentExpression as ts.StringLiteralLike).text;
      const base = skipOuter(expr.expression);
      if (base.kind === ts.SyntaxKind.ThisKeyword) {
        const value = resolver.valueOf(expr) ?? thisMemberValue(base, name);
        return value ? this.resolve(value, depth + 1) : [];
      }
      return this.resolve(base, depth + 1).flatMap((t) => this.member(t, name, depth));
    }
    if (ts.isCallExpression(expr)) return this.call(expr, file, depth);
    if (ts.isNewExpression(expr)) {
      if (this.isCreation(expr)) return [{ kind: 'instance', node: expr }];
      return this.resolve(expr.expression, depth + 1).flatMap((t) => (t.kind === 'class' ? [{ kind: 'classInstance' as const, node: t.node }] : []));
    }
    return [];
  }

  private declarationTargets(declaration: ts.Node, file: string, depth: number): Target[] {
    const { resolver } = this.files.ofNode(declaration);
    const ref = resolver.importOf(declaration);
    if (ref) return this.importTargets(file, ref, depth);
    if (ts.isVariableDeclaration(declaration)) return declaration.initializer && ts.isIdentifier(declaration.name) ? this.resolve(declaration.initializer, depth + 1) : [];
    if (ts.isFunctionDeclaration(declaration) || ts.isFunctionExpression(declaration)) return [{ kind: 'function', node: declaration }];
    if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration)) return [{ kind: 'class', node: declaration }];
    if (ts.isParameter(declaration)) return [{ kind: 'instance', node: declaration }];
    return [];
  }

  private call(call: ts.CallExpression, file: string, depth: number): Target[] {
    if (this.isCreation(call)) return [{ kind: 'instance', node: call }];
    const required = requiredModule(call);
    if (required !== undefined) return this.importTargets(file, { module: required, name: 'default' }, depth);
    const callee = skipOuter(call.expression);
    if (callee.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = call.arguments[0];
      return specifier && ts.isStringLiteralLike(specifier) ? this.importTargets(file, { module: specifier.text, name: 'default' }, depth) : [];
    }
    if (ts.isPropertyAccessExpression(callee) && SAME_INSTANCE.has(callee.name.text)) return this.resolve(callee.expression, depth + 1).filter((t) => t.kind === 'instance');
    const targets: Target[] = [];
    for (const fn of this.resolve(callee, depth + 1)) {
      if (fn.kind === 'function') for (const value of returnedValues(fn.node)) targets.push(...this.resolve(value, depth + 1));
      // fastify-plugin's fp(plugin, options) is the plugin itself (without encapsulation).
      else if (fn.kind === 'external' && fn.module === 'fastify-plugin' && call.arguments[0]) {
        const plugins = this.resolve(call.arguments[0], depth + 1);
        for (const plugin of plugins) if (plugin.kind === 'function') this.wrapped.add(plugin.node);
        targets.push(...plugins);
      }
    }
    return targets;
  }

  /** A router that only answers once mounted (express.Router(), Koa's new Router()), as opposed to an app. */
  isRouterCreation(node: ts.Node): boolean {
    if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return false;
    const callee = skipOuter(node.expression);
    const ref = this.files.ofNode(node).resolver.importRefOf(callee);
    if (ref) return ref.name === 'Router' || ref.name === 'KoaRouter' || ref.module === '@koa/router' || ref.module === 'koa-router';
    return (ts.isIdentifier(callee) && (callee.text === 'Router' || callee.text === 'KoaRouter')) || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'Router');
  }

  /** express(), express.Router(), Router(), fastify(), new Router() (Koa), new Koa(), new Hono(). */
  private isCreation(expr: ts.CallExpression | ts.NewExpression): boolean {
    const { resolver } = this.files.ofNode(expr);
    const callee = skipOuter(expr.expression);
    const ref = resolver.importRefOf(callee);
    if (ref) {
      const framework = frameworkOfModule(ref.module);
      if (framework === 'express') return ['default', '*', 'Router', 'express'].includes(ref.name);
      if (framework === 'fastify') return ref.module === 'fastify' && ['default', '*', 'fastify', 'Fastify'].includes(ref.name);
      if (framework === 'koa') return ['default', '*', 'Router', 'KoaRouter'].includes(ref.name);
      if (framework === 'hono') return ['Hono', 'OpenAPIHono', 'default'].includes(ref.name);
      return false;
    }
    if (ts.isIdentifier(callee)) return !resolver.declarationOf(callee) && ['express', 'Router', 'fastify', 'Fastify', 'Koa', 'KoaRouter', 'Hono', 'OpenAPIHono'].includes(callee.text);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'Router' && ts.isIdentifier(callee.expression) && callee.expression.text === 'express';
  }

  private member(target: Target, name: string, depth: number): Target[] {
    if (target.kind === 'module') return this.exportOf(target.file, name, depth + 1);
    if (target.kind === 'classInstance') {
      const value = classMemberValue(target.node, name);
      return value ? this.resolve(value, depth + 1) : [];
    }
    if (target.kind === 'object') {
      for (const property of target.node.properties) {
        if (propertyNameText(property.name) !== name) continue;
        if (ts.isPropertyAssignment(property)) return this.resolve(property.initializer, depth + 1);
        if (ts.isShorthandPropertyAssignment(property)) return this.resolve(property.name, depth + 1);
        if (ts.isMethodDeclaration(property)) return [{ kind: 'function', node: property }];
      }
    }
    return [];
  }

  importTargets(fromFile: string, ref: ImportRef, depth = 0): Target[] {
    const file = this.modules.resolve(ref.module, fromFile);
    if (!file) return [{ kind: 'external', module: ref.module, name: ref.name }];
    if (ref.name === '*') return [{ kind: 'module', file }];
    return this.exportOf(file, ref.name, depth + 1);
  }

  /** What file exports under `name` ('default': the default export, or `module.exports`). */
  exportOf(file: string, name: string, depth = 0): Target[] {
    const memoKey = `${file}\0${name}`;
    const known = this.exportMemo.get(memoKey);
    if (known) return known;
    this.exportMemo.set(memoKey, []);
    const context = this.files.get(file);
    let targets: Target[] = [];
    if (context && depth <= MAX_DEPTH) {
      const exports = moduleExports(context.sourceFile);
      const entries = exports.named.get(name);
      if (entries) targets = entries.flatMap((e) => this.entryTargets(file, e, depth));
      else if (name !== 'default') {
        for (const star of exports.stars) {
          targets = this.importTargets(file, { module: star, name }, depth);
          if (targets.length && !targets.every((t) => t.kind === 'external')) break;
        }
        // `module.exports = someObject`: its members.
        if (!targets.length) targets = this.exportOf(file, 'default', depth + 1).flatMap((t) => this.member(t, name, depth));
      }
    }
    targets = dedupe(targets);
    this.exportMemo.set(memoKey, targets);
    return targets;
  }

  private entryTargets(file: string, entry: ExportEntry, depth: number): Target[] {
    switch (entry.kind) {
      case 'expr':
        return this.resolve(entry.expr, depth + 1);
      case 'local':
        return this.resolve(entry.id, depth + 1);
      case 'reexport':
        return this.importTargets(file, { module: entry.module, name: entry.name }, depth);
      case 'namespace':
        return this.importTargets(file, { module: entry.module, name: '*' }, depth);
      case 'decl':
        return this.declarationTargets(entry.node, file, depth);
    }
  }

  /** The value of a constant string expression, its parts possibly imported from other files. */
  constString(expr: ts.Expression | undefined, depth = 0): string | undefined {
    if (!expr || depth > 12 || ++this.steps > MAX_STEPS) return undefined;
    try {
      const local = this.files.ofNode(expr).resolver.constString(expr);
      if (local !== undefined) return local;
      const e = skipOuter(expr);
      const joined = joinedString(e, (part) => this.constString(part, depth + 1));
      if (joined) return joined.value;
      const value = this.valueExpression(e, depth + 1);
      return value ? this.constString(value, depth + 1) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The expression a name or member stands for, following imports into other files. */
  valueExpression(expr: ts.Expression, depth = 0): ts.Expression | undefined {
    if (depth > 12) return undefined;
    expr = skipOuter(expr);
    const { resolver, file } = this.files.ofNode(expr);
    const local = resolver.valueOf(expr);
    if (local) return local;
    if (ts.isIdentifier(expr)) {
      const ref = resolver.importOf(resolver.declarationOf(expr));
      return ref ? this.exportedExpression(file, ref, depth + 1) : undefined;
    }
    if (ts.isPropertyAccessExpression(expr)) {
      const ref = resolver.importRefOf(expr);
      if (ref) return this.exportedExpression(file, ref, depth + 1);
      if (skipOuter(expr.expression).kind === ts.SyntaxKind.ThisKeyword) return thisMemberValue(expr.expression, expr.name.text);
      const base = this.valueExpression(expr.expression, depth + 1);
      const object = base && skipOuter(base);
      // controller.path where controller = new UsersController()
      if (object && ts.isNewExpression(object)) {
        for (const target of this.resolve(object)) if (target.kind === 'classInstance') return classMemberValue(target.node, expr.name.text);
        return undefined;
      }
      if (object && ts.isObjectLiteralExpression(object)) {
        for (const property of object.properties) {
          if (propertyNameText(property.name) !== expr.name.text) continue;
          if (ts.isPropertyAssignment(property)) return property.initializer;
          if (ts.isShorthandPropertyAssignment(property)) return property.name;
        }
      }
    }
    return undefined;
  }

  /** A file's export `name` as a constant string (e.g. a Fastify plugin's `autoPrefix`). */
  exportedString(file: string, name: string): string | undefined {
    const expr = this.exportExpression(file, name, 0);
    return expr ? this.constString(expr) : undefined;
  }

  private exportedExpression(fromFile: string, ref: ImportRef, depth: number): ts.Expression | undefined {
    const file = this.modules.resolve(ref.module, fromFile);
    return file && ref.name !== '*' ? this.exportExpression(file, ref.name, depth) : undefined;
  }

  private exportExpression(file: string, name: string, depth: number): ts.Expression | undefined {
    const context = depth > 12 ? undefined : this.files.get(file);
    if (!context) return undefined;
    const exports = moduleExports(context.sourceFile);
    for (const entry of exports.named.get(name) ?? []) {
      if (entry.kind === 'expr') return entry.expr;
      if (entry.kind === 'local') return entry.id;
      if (entry.kind === 'decl' && ts.isVariableDeclaration(entry.node)) return entry.node.initializer;
      if (entry.kind === 'reexport') return this.exportedExpression(file, { module: entry.module, name: entry.name }, depth + 1);
    }
    for (const star of exports.stars) {
      const found = this.exportedExpression(file, { module: star, name }, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
}

/** A class member's value: its property initializer, else what `this.name = …` assigns in the class. */
export function classMemberValue(cls: ts.ClassLikeDeclaration, name: string): ts.Expression | undefined {
  let assigned: ts.Expression | undefined;
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name && member.initializer) return member.initializer;
    if (assigned || !(ts.isConstructorDeclaration(member) || ts.isMethodDeclaration(member)) || !member.body) continue;
    const visit = (node: ts.Node): void => {
      if (assigned || ts.isClassLike(node)) return;
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && node.left.name.text === name) {
        assigned = node.right;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(member.body);
  }
  return assigned;
}

/** `this.name` where `this` is the class around the node. */
function thisMemberValue(thisNode: ts.Node, name: string): ts.Expression | undefined {
  for (let node: ts.Node | undefined = thisNode.parent; node; node = node.parent) {
    if (ts.isClassLike(node)) return classMemberValue(node, name);
    // Inside a plain function `this` is not the class's.
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) return undefined;
  }
  return undefined;
}

/** The expressions a function returns (not those of functions nested in it), at most 8. */
export function returnedValues(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as ts.FunctionLikeDeclarationBase).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const values: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (values.length >= 8 || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) values.push(node.expression);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return values;
}

function dedupe(targets: Target[]): Target[] {
  const seen = new Map<string, Set<unknown>>();
  return targets.filter((t) => {
    const key = 'node' in t ? t.node : t.kind === 'module' ? t.file : `${t.module}\0${t.name}`;
    let ofKind = seen.get(t.kind);
    if (!ofKind) seen.set(t.kind, (ofKind = new Set()));
    if (ofKind.has(key)) return false;
    ofKind.add(key);
    return true;
  });
}
