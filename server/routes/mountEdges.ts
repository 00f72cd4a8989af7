// Where one app/router/plugin is mounted on another, with the prefix that adds: Express and Koa
// `use([prefix,] child…)`, Fastify `register(plugin, { prefix })` (plugins imported, `import()`-ed,
// required, wrapped in fastify-plugin, or loaded by @fastify/autoload), Hono `route(prefix, sub)`,
// and `mount(app)` calls that hand an app to a function declaring routes on its parameter. Pure.
import ts from 'typescript';
import { propertyNameText, skipOuter } from './resolve';
import type { FileContext } from './fileContext';
import type { SourceCache } from './sourceCache';
import { nodeKey, type ValueResolver } from './valueResolver';
import { AUTOLOAD_MODULES, autoloadPlugins } from './autoload';
import { joinMount } from './joinPaths';

export interface MountEdge {
  /** The instance mounted (see ValueResolver.keyOf). */
  child: string;
  /** The instance it is mounted on. */
  parent: string;
  /** What the mount adds to the paths; undefined: a prefix that is not a constant. */
  prefix: string | undefined;
}

export interface FileMounts {
  edges: MountEdge[];
  /** Files loaded by @fastify/autoload: plugins whose routes count even where a file list skipped them. */
  pluginFiles: string[];
}

export function collectMounts(context: FileContext, values: ValueResolver, cache: SourceCache, folder: string): FileMounts {
  const collector = new Collector(context, values, cache, folder);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      try {
        collector.call(node);
      } catch {
        // One odd call must not cost the others.
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(context.sourceFile);
  return { edges: collector.edges, pluginFiles: collector.pluginFiles };
}

class Collector {
  readonly edges: MountEdge[] = [];
  readonly pluginFiles: string[] = [];

  constructor(
    private readonly context: FileContext,
    private readonly values: ValueResolver,
    private readonly cache: SourceCache,
    private readonly folder: string,
  ) {}

  call(call: ts.CallExpression): void {
    const callee = skipOuter(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (name === 'use') return this.use(call, callee.expression);
      if (name === 'register') return this.register(call, callee.expression);
      if (name === 'route' && call.arguments.length === 2) return this.honoRoute(call, callee.expression);
    }
    this.handOver(call, callee);
  }

  /** Express / Koa: use(child), use('/p', child, …), use(['/a', '/b'], child). */
  private use(call: ts.CallExpression, receiver: ts.Expression): void {
    const args = call.arguments;
    if (args.length === 0 || this.context.receivers.analyze(receiver).client) return;
    let prefixes: Array<string | undefined> = [''];
    let children: readonly ts.Expression[] = args;
    if (args.length >= 2) {
      const strings = this.strings(args[0]);
      if (strings) [prefixes, children] = [strings, args.slice(1)];
      else if (this.looksLikePrefix(args[0])) [prefixes, children] = [[undefined], args.slice(1)];
    }
    const intrinsic = this.context.receivers.analyze(receiver).prefix;
    // use('/api', [auth, router]): arrays of middleware and routers.
    children = children.flatMap((c) => {
      const e = skipOuter(c);
      return ts.isArrayLiteralExpression(e) ? e.elements.map((x) => (ts.isSpreadElement(x) ? x.expression : x)) : [c];
    });
    for (const child of children) {
      const keys = this.values.resolve(child).flatMap((t) => (t.kind === 'instance' ? [this.values.keyOf(t)!] : []));
      for (const key of keys) for (const prefix of prefixes) this.edge(key, receiver, prefix === undefined ? undefined : joinMount(intrinsic, prefix));
    }
  }

  /** Fastify: register(plugin, { prefix }); register(AutoLoad, { dir, options }). */
  private register(call: ts.CallExpression, receiver: ts.Expression): void {
    const [plugin, options] = call.arguments;
    if (!plugin) return;
    const intrinsic = this.context.receivers.analyze(receiver).prefix;
    const targets = this.values.resolve(plugin);
    if (targets.some((t) => t.kind === 'external' && AUTOLOAD_MODULES.has(t.module))) {
      const loaded = autoloadPlugins(this.values, this.cache, this.folder, this.context.file, options);
      for (const entry of loaded.plugins) {
        this.pluginFiles.push(entry.file);
        for (const target of this.values.exportOf(entry.file, 'default')) {
          const key = target.kind === 'function' ? this.values.keyOf(target) : undefined;
          if (key) this.edge(key, receiver, this.values.skipsEncapsulation(target) ? intrinsic : loaded.prefixUnknown ? undefined : joinMount(intrinsic, entry.prefix));
        }
      }
      return;
    }
    const prefix = this.registerPrefix(options);
    // An inline plugin's literal prefix is already in its routes' paths (the per-file analysis joins it).
    const inline = skipOuter(plugin);
    const folded = (ts.isArrowFunction(inline) || ts.isFunctionExpression(inline)) && prefix !== undefined && prefix !== '';
    for (const target of targets) {
      const key = target.kind === 'function' || target.kind === 'instance' ? this.values.keyOf(target) : undefined;
      if (!key) continue;
      if (this.values.skipsEncapsulation(target)) this.edge(key, receiver, intrinsic);
      else this.edge(key, receiver, folded ? '' : prefix === undefined ? undefined : joinMount(intrinsic, prefix));
    }
  }

  /** Hono: app.route('/api', sub). */
  private honoRoute(call: ts.CallExpression, receiver: ts.Expression): void {
    const [path, sub] = call.arguments;
    const prefix = this.values.constString(path);
    if (prefix === undefined && !this.looksLikePrefix(path)) return;
    const intrinsic = this.context.receivers.analyze(receiver).prefix;
    for (const target of this.values.resolve(sub)) {
      if (target.kind === 'instance') this.edge(this.values.keyOf(target)!, receiver, prefix === undefined ? undefined : joinMount(intrinsic, prefix));
    }
  }

  /** mount(app), require('./routes')(app): routes the function declares on its parameter are the app's. */
  private handOver(call: ts.CallExpression, callee: ts.Expression): void {
    if (ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(skipOuter(callee.expression))) return;
    const args = call.arguments;
    const apps = args.map((arg) => (ts.isIdentifier(skipOuter(arg)) ? this.values.resolve(arg).filter((t) => t.kind === 'instance') : []));
    if (!apps.some((a) => a.length > 0)) return;
    for (const fn of this.values.resolve(callee)) {
      if (fn.kind !== 'function') continue;
      apps.forEach((instances, i) => {
        const parameter = fn.node.parameters[i];
        if (!parameter || !ts.isIdentifier(parameter.name)) return;
        for (const instance of instances) this.edges.push({ child: nodeKey(parameter), parent: this.values.keyOf(instance)!, prefix: '' });
      });
    }
  }

  private registerPrefix(options: ts.Expression | undefined): string | undefined {
    if (!options) return '';
    let object = skipOuter(options);
    if (!ts.isObjectLiteralExpression(object)) {
      const value = this.values.valueExpression(object);
      if (!value || !ts.isObjectLiteralExpression(skipOuter(value))) return ''; // options from elsewhere: assume no prefix
      object = skipOuter(value);
    }
    for (const property of (object as ts.ObjectLiteralExpression).properties) {
      if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === 'prefix') return this.values.constString(property.initializer);
    }
    return '';
  }

  private edge(child: string, receiver: ts.Expression, prefix: string | undefined): void {
    const parents = this.values.instanceKeys(receiver);
    // A receiver of unknown origin (this.app set in a constructor) still mounts: it is a root of its own.
    for (const parent of parents.length ? parents : [nodeKey(skipOuter(receiver))]) this.edges.push({ child, parent, prefix });
  }

  /** A constant path or an array of them. */
  private strings(expr: ts.Expression): string[] | undefined {
    const e = skipOuter(expr);
    const items = ts.isArrayLiteralExpression(e) ? [...e.elements] : [e];
    const values = items.map((item) => this.values.constString(item));
    return values.length > 0 && values.every((v): v is string => v !== undefined) ? values : undefined;
  }

  /** A path written as something computed: a template, a concatenation, a name that is neither a function nor a router. */
  private looksLikePrefix(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if (ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)) return true;
    if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return false;
    return this.values.resolve(e).length === 0 && !ts.isCallExpression(e);
  }
}
