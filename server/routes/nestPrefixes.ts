// NestJS paths beyond the controller: `app.setGlobalPrefix('api', { exclude })`, URI versioning
// (`app.enableVersioning({ type: VersioningType.URI })` with `@Controller({ version })` /
// `@Version()`), and `RouterModule.register([{ path, module, children }])`. Nest builds
// /{global prefix}/{v}{version}/{module path}/{controller}/{method}. Pure.
import ts from 'typescript';
import { propertyNameText, skipOuter } from './resolve';
import type { RouteSite } from './detectRoutes';
import type { FileContext } from './fileContext';
import { nodeKey, type ValueResolver } from './valueResolver';

export const NEST_HINT = /setGlobalPrefix|enableVersioning|RouterModule/;

interface Exclusion {
  pattern: RegExp;
  method?: string;
}

export interface NestSettings {
  /** undefined: none; value undefined: set, but not to a constant (or to different ones). */
  globalPrefix?: { value: string | undefined; exclude: Exclusion[] };
  versioning?: { prefix: string; defaultVersions: string[] };
  /** RouterModule paths of controllers, by class key. */
  modulePaths: Map<string, string[]>;
}

export function collectNestSettings(contexts: FileContext[], values: ValueResolver): NestSettings {
  const settings: NestSettings = { modulePaths: new Map() };
  for (const context of contexts) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        try {
          settingFrom(node, node.expression.name.text, settings, values);
        } catch {
          // Keep going.
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(context.sourceFile);
  }
  return settings;
}

function settingFrom(call: ts.CallExpression, name: string, settings: NestSettings, values: ValueResolver): void {
  const [first, second] = call.arguments;
  if (name === 'setGlobalPrefix' && first) {
    const value = values.constString(first);
    const exclude = excludeList(objectArg(second), values);
    if (!settings.globalPrefix) settings.globalPrefix = { value, exclude };
    else if (settings.globalPrefix.value !== value) settings.globalPrefix = { value: undefined, exclude: [] };
  } else if (name === 'enableVersioning') {
    const options = objectArg(first);
    const type = options && property(options, 'type');
    if (type && !(ts.isPropertyAccessExpression(skipOuter(type)) && (skipOuter(type) as ts.PropertyAccessExpression).name.text === 'URI')) return;
    const prefixExpr = options && property(options, 'prefix');
    const prefix = prefixExpr ? (skipOuter(prefixExpr).kind === ts.SyntaxKind.FalseKeyword ? '' : (values.constString(prefixExpr) ?? 'v')) : 'v';
    const defaultVersion = options && property(options, 'defaultVersion');
    settings.versioning = { prefix, defaultVersions: defaultVersion ? (versionsOf(defaultVersion, values) ?? []) : [] };
  } else if ((name === 'register' || name === 'forRoutes') && isRouterModule(call) && first) {
    collectRoutes(first, '', settings.modulePaths, values, 0);
  }
}

function isRouterModule(call: ts.CallExpression): boolean {
  const target = skipOuter((call.expression as ts.PropertyAccessExpression).expression);
  return ts.isIdentifier(target) && target.text === 'RouterModule';
}

/** RouterModule routes: [{ path, module, children: [ { path, module } | Module ] }]. */
function collectRoutes(expr: ts.Expression, base: string, paths: Map<string, string[]>, values: ValueResolver, depth: number): void {
  if (depth > 8) return;
  const list = skipOuter(expr);
  if (!ts.isArrayLiteralExpression(list)) return;
  for (const element of list.elements) {
    const item = skipOuter(element);
    if (!ts.isObjectLiteralExpression(item)) {
      addModule(item, base, paths, values);
      continue;
    }
    const pathExpr = property(item, 'path');
    const path = join(base, pathExpr ? (values.constString(pathExpr) ?? '') : '');
    const module = property(item, 'module');
    if (module) addModule(module, path, paths, values);
    const children = property(item, 'children');
    if (children) collectRoutes(children, path, paths, values, depth + 1);
  }
}

function addModule(moduleExpr: ts.Expression, path: string, paths: Map<string, string[]>, values: ValueResolver): void {
  for (const module of values.resolve(moduleExpr)) {
    if (module.kind !== 'class') continue;
    const decorator = decoratorsOf(module.node).find((d) => decoratorName(d) === 'Module');
    const options = decorator && objectArg(decoratorArgument(decorator));
    const controllers = options && property(options, 'controllers');
    const list = controllers && skipOuter(controllers);
    if (!list || !ts.isArrayLiteralExpression(list)) continue;
    for (const controller of list.elements) {
      for (const target of values.resolve(controller)) {
        if (target.kind !== 'class') continue;
        const key = nodeKey(target.node);
        paths.set(key, [...(paths.get(key) ?? []), path]);
      }
    }
  }
}

export interface NestPath {
  path: string;
  prefixUnknown: boolean;
}

/** The full paths of a Nest route (its site's receiver is the controller class). */
export function nestPaths(site: RouteSite, settings: NestSettings, values: ValueResolver): NestPath[] {
  const controller = site.receiver as ts.ClassLikeDeclaration;
  const modulePaths = settings.modulePaths.get(nodeKey(controller)) ?? [''];
  let versions: Array<string | undefined> = [undefined];
  if (settings.versioning) {
    const own = site.member && versionDecorator(site.member, values);
    const fromController = controllerVersions(controller, values);
    const chosen = own ?? fromController ?? settings.versioning.defaultVersions;
    if (chosen.length) versions = chosen.map((v) => (v === NEUTRAL ? undefined : `${settings.versioning!.prefix}${v}`));
  }
  const global = settings.globalPrefix;
  const results: NestPath[] = [];
  for (const version of versions) {
    for (const modulePath of modulePaths) {
      const path = join(join(version ?? '', modulePath), site.route.path);
      const excluded = global?.exclude.some((e) => (!e.method || e.method === site.route.method || e.method === 'ALL') && e.pattern.test(join('', join(modulePath, site.route.path))));
      const prefix = global && !excluded ? global.value : '';
      results.push({ path: join(prefix ?? '', path), prefixUnknown: prefix === undefined });
    }
  }
  return results;
}

const NEUTRAL = '\0neutral';

function versionsOf(expr: ts.Expression, values: ValueResolver): string[] | undefined {
  const e = skipOuter(expr);
  const items = ts.isArrayLiteralExpression(e) ? [...e.elements] : [e];
  const versions: string[] = [];
  for (const item of items) {
    const i = skipOuter(item);
    if (ts.isIdentifier(i) && i.text === 'VERSION_NEUTRAL') versions.push(NEUTRAL);
    else {
      const value = values.constString(i);
      if (value === undefined) return undefined;
      versions.push(value);
    }
  }
  return versions;
}

function versionDecorator(member: ts.MethodDeclaration, values: ValueResolver): string[] | undefined {
  const decorator = decoratorsOf(member).find((d) => decoratorName(d) === 'Version');
  const arg = decorator && decoratorArgument(decorator);
  return arg ? versionsOf(arg, values) : undefined;
}

function controllerVersions(controller: ts.ClassLikeDeclaration, values: ValueResolver): string[] | undefined {
  const decorator = decoratorsOf(controller).find((d) => decoratorName(d) === 'Controller');
  const options = decorator && objectArg(decoratorArgument(decorator));
  const version = options && property(options, 'version');
  return version ? versionsOf(version, values) : undefined;
}

function excludeList(options: ts.ObjectLiteralExpression | undefined, values: ValueResolver): Exclusion[] {
  const list = options && property(options, 'exclude');
  const array = list && skipOuter(list);
  if (!array || !ts.isArrayLiteralExpression(array)) return [];
  const exclusions: Exclusion[] = [];
  for (const element of array.elements) {
    const item = skipOuter(element);
    if (ts.isObjectLiteralExpression(item)) {
      const path = property(item, 'path');
      const method = property(item, 'method');
      const text = path && values.constString(path);
      const methodExpr = method && skipOuter(method);
      if (text !== undefined) exclusions.push({ pattern: excludePattern(text), method: methodExpr && ts.isPropertyAccessExpression(methodExpr) ? methodExpr.name.text.toUpperCase() : undefined });
    } else {
      const text = values.constString(item);
      if (text !== undefined) exclusions.push({ pattern: excludePattern(text) });
    }
  }
  return exclusions;
}

/** A Nest exclude path ('health', 'cats/:id', 'files/(.*)', 'docs/*splat') as a whole-path pattern. */
function excludePattern(path: string): RegExp {
  const normalized = join('', path);
  let source = '';
  for (let i = 0; i < normalized.length; ) {
    const rest = normalized.slice(i);
    const wildcard = /^(?:\(\.\*\)|\{\*\w*\}|\*\w*)/.exec(rest);
    const param = /^:\w+/.exec(rest);
    if (wildcard) {
      source += '.*';
      i += wildcard[0].length;
    } else if (param) {
      source += '[^/]+';
      i += param[0].length;
    } else {
      source += normalized[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  return new RegExp(`^${source}/?$`);
}

/** Nest joins segments with single slashes: ('api', '/users') → '/api/users', ('', '') → '/'. */
function join(a: string, b: string): string {
  return `/${`${a}/${b}`.split('/').filter((s) => s !== '').join('/')}`;
}

function objectArg(expr: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  const e = expr && skipOuter(expr);
  return e && ts.isObjectLiteralExpression(e) ? e : undefined;
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (propertyNameText(p.name) !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return (ts.canHaveDecorators(node) && ts.getDecorators(node)) || [];
}

function decoratorName(decorator: ts.Decorator): string | undefined {
  let expr = skipOuter(decorator.expression);
  if (ts.isCallExpression(expr)) expr = skipOuter(expr.expression);
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return ts.isIdentifier(expr) ? expr.text : undefined;
}

function decoratorArgument(decorator: ts.Decorator): ts.Expression | undefined {
  const expr = skipOuter(decorator.expression);
  return ts.isCallExpression(expr) ? expr.arguments[0] : undefined;
}
