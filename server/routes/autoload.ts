// @fastify/autoload: `fastify.register(AutoLoad, { dir, options: { prefix }, routeParams, … })` loads
// every script under `dir` as a plugin, prefixed by its folders' names. This mirrors its walk: an
// index file stands for its folder (the folder's other files are skipped, its sub-folders are not),
// `dirNameRoutePrefix: false` drops folder names, `routeParams: true` turns `_id` into `:id`,
// `ignorePattern`/`indexPattern`/`maxDepth` are honoured when literal, `autoPrefix` exports append.
import ts from 'typescript';
import { posix } from 'node:path';
import { propertyNameText, skipOuter } from './resolve';
import type { SourceCache } from './sourceCache';
import type { ValueResolver } from './valueResolver';
import { joinMount } from './joinPaths';

export const AUTOLOAD_MODULES = new Set(['@fastify/autoload', 'fastify-autoload']);

export interface AutoloadPlugin {
  file: string;
  /** The prefix the plugin is registered with (options.prefix, folders, autoPrefix). */
  prefix: string;
}

export interface AutoloadResult {
  plugins: AutoloadPlugin[];
  /** options.prefix was given but is not a constant. */
  prefixUnknown: boolean;
}

const SCRIPT = /\.(?:[cm]?[jt]s)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const DEFAULT_INDEX = /^index(?:\.ts|\.js|\.cjs|\.mjs|\.cts|\.mts)$/i;
const AUTOHOOKS = /^[_.]?auto_?hooks(?:\.ts|\.js|\.cjs|\.mjs)$/i;
const MAX_PLUGINS = 2000;

interface Settings {
  dir: string;
  prefix: string;
  dirNames: boolean;
  routeParams: boolean;
  ignore?: RegExp;
  index: RegExp;
  maxDepth: number;
}

export function autoloadPlugins(values: ValueResolver, cache: SourceCache, folder: string, registerFile: string, options: ts.Expression | undefined): AutoloadResult {
  const object = options && objectLiteral(values, options);
  if (!object) return { plugins: [], prefixUnknown: false };
  const settings: Settings = { dir: '', prefix: '', dirNames: true, routeParams: false, index: DEFAULT_INDEX, maxDepth: 12 };
  let prefixUnknown = false;
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const value = skipOuter(property.initializer);
    switch (propertyNameText(property.name)) {
      case 'dir':
        settings.dir = evaluatePath(values, value, registerFile, folder) ?? '';
        break;
      case 'options': {
        const inner = objectLiteral(values, value);
        const prefix = inner?.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'prefix');
        if (prefix) {
          const text = values.constString(prefix.initializer);
          if (text === undefined) prefixUnknown = true;
          else settings.prefix = text.replace(/\/+$/, '');
        }
        break;
      }
      case 'dirNameRoutePrefix':
        settings.dirNames = value.kind !== ts.SyntaxKind.FalseKeyword;
        break;
      case 'routeParams':
        settings.routeParams = value.kind === ts.SyntaxKind.TrueKeyword;
        break;
      case 'ignorePattern':
        settings.ignore = regex(value);
        break;
      case 'indexPattern':
        settings.index = regex(value) ?? DEFAULT_INDEX;
        break;
      case 'maxDepth':
        if (ts.isNumericLiteral(value)) settings.maxDepth = Math.min(Number(value.text), 12);
        break;
    }
  }
  if (!settings.dir) return { plugins: [], prefixUnknown };
  const plugins: AutoloadPlugin[] = [];
  walk(cache, settings, settings.dir, settings.prefix, 0, plugins);
  for (const plugin of plugins) {
    if (settings.routeParams) plugin.prefix = plugin.prefix.replace(/\/_([^/]+)/g, '/:$1');
    const autoPrefix = values.exportedString(plugin.file, 'autoPrefix');
    if (autoPrefix) plugin.prefix = joinMount(plugin.prefix, autoPrefix);
  }
  return { plugins, prefixUnknown };
}

function walk(cache: SourceCache, settings: Settings, dir: string, prefix: string, depth: number, plugins: AutoloadPlugin[]): void {
  const entries = cache.readDirectory(dir);
  const index = entries.find((e) => !e.isDirectory && settings.index.test(e.name));
  if (index) {
    plugins.push({ file: `${dir}/${index.name}`, prefix });
    if (!entries.some((e) => e.isDirectory)) return;
  }
  for (const entry of entries) {
    if (plugins.length >= MAX_PLUGINS) return;
    if (settings.ignore?.test(entry.name)) continue;
    if (entry.isDirectory) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || depth >= settings.maxDepth) continue;
      walk(cache, settings, `${dir}/${entry.name}`, settings.dirNames ? `${prefix}/${entry.name}` : prefix, depth + 1, plugins);
    } else if (!index && SCRIPT.test(entry.name) && !DECLARATION.test(entry.name) && !AUTOHOOKS.test(entry.name)) {
      plugins.push({ file: `${dir}/${entry.name}`, prefix });
    }
  }
}

function objectLiteral(values: ValueResolver, expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const direct = skipOuter(expr);
  if (ts.isObjectLiteralExpression(direct)) return direct;
  const value = values.valueExpression(direct);
  const object = value && skipOuter(value);
  return object && ts.isObjectLiteralExpression(object) ? object : undefined;
}

function regex(expr: ts.Expression): RegExp | undefined {
  if (!ts.isRegularExpressionLiteral(expr)) return undefined;
  const match = /^\/(.*)\/([a-z]*)$/s.exec(expr.text);
  try {
    return match ? new RegExp(match[1], match[2].replace(/[gy]/g, '')) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A folder path written with __dirname, import.meta.dirname / .url, path.join / resolve / dirname,
 * fileURLToPath(new URL('routes', import.meta.url)), process.cwd() and constant strings.
 * __dirname is the registering file's folder: compiled code runs from a mirror of the same layout.
 */
export function evaluatePath(values: ValueResolver, expr: ts.Expression, file: string, folder: string, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  const e = skipOuter(expr);
  const dir = posix.dirname(file);
  const constant = values.constString(e);
  if (constant !== undefined) return constant.startsWith('/') ? posix.normalize(constant) : posix.join(folder, constant);
  if (ts.isIdentifier(e)) {
    if (e.text === '__dirname') return dir;
    if (e.text === '__filename') return file;
    const value = values.valueExpression(e);
    return value ? evaluatePath(values, value, file, folder, depth + 1) : undefined;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isMetaProperty(e.expression)) {
    if (e.name.text === 'dirname') return dir;
    if (e.name.text === 'filename' || e.name.text === 'url') return file;
    return undefined;
  }
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'URL' && e.arguments?.length === 2) {
    const relative = values.constString(e.arguments[0]);
    const base = evaluatePath(values, e.arguments[1], file, folder, depth + 1);
    return relative === undefined || base === undefined ? undefined : posix.join(posix.dirname(base), relative);
  }
  if (ts.isTemplateExpression(e) || ts.isBinaryExpression(e)) {
    const parts = ts.isTemplateExpression(e) ? [e.head.text, ...e.templateSpans.flatMap((s) => [s.expression, s.literal.text])] : [e.left, e.right];
    let text = '';
    for (const part of parts) {
      const value = typeof part === 'string' ? part : (values.constString(part) ?? evaluatePath(values, part, file, folder, depth + 1));
      if (value === undefined) return undefined;
      text += value;
    }
    return posix.normalize(text);
  }
  if (!ts.isCallExpression(e)) return undefined;
  const callee = skipOuter(e.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (name === 'cwd') return folder;
  const args = e.arguments.map((a) => evaluatePath(values, a, file, folder, depth + 1) ?? values.constString(a));
  if (args.some((a) => a === undefined)) return undefined;
  const strings = args as string[];
  // evaluatePath makes relative constants absolute against the folder; join/resolve's later arguments are relative as written.
  const raw = e.arguments.map((a, i) => values.constString(a) ?? strings[i]);
  if (name === 'join' || name === 'resolve') return posix.normalize(name === 'join' ? posix.join(strings[0], ...raw.slice(1)) : posix.resolve(strings[0], ...raw.slice(1)));
  if (name === 'dirname' && strings.length === 1) return posix.dirname(strings[0]);
  if (name === 'fileURLToPath' && strings.length === 1) return strings[0];
  return undefined;
}
