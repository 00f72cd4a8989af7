// The files the request-needs analysis looks at: the route's own file, and the files its relative
// imports lead to (read through a SourceHost, parsed once). Follows names to their values across
// them: consts, object members, imports, re-exports, `module.exports`. Pure: no I/O of its own.
import ts from 'typescript';
import { scriptKindFor } from '../detectRoutes';
import { Resolver, propertyNameText, skipOuter } from '../resolve';
import type { SourceHost } from '../sourceHost';

export interface FileContext {
  path: string;
  sourceFile: ts.SourceFile;
  resolver: Resolver;
}

/** A node and the file it is in. */
export interface Located<T extends ts.Node = ts.Node> {
  node: T;
  file: FileContext;
}

const MAX_DEPTH = 10;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function normalizePath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const absolute = slashed.startsWith('/');
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []).some((m) => m.kind === kind) : false;
}

export class Program {
  private readonly files = new Map<string, FileContext | null>();

  constructor(private readonly host?: SourceHost) {}

  /** Registers (or reads through the host) and parses a file. */
  file(path: string, text?: string): FileContext | undefined {
    const key = normalizePath(path);
    const known = this.files.get(key);
    if (known !== undefined && text === undefined) return known ?? undefined;
    let content = text;
    if (content === undefined) {
      try {
        content = this.host?.readFile(key);
      } catch {
        content = undefined;
      }
    }
    if (content === undefined) {
      this.files.set(key, null);
      return undefined;
    }
    const sourceFile = ts.createSourceFile(key, content, ts.ScriptTarget.Latest, true, scriptKindFor(key));
    const context = { path: key, sourceFile, resolver: new Resolver(sourceFile) };
    this.files.set(key, context);
    return context;
  }

  /** The file a relative import leads to (`./x` → x.ts, x/index.ts, `./x.js` → x.ts …). */
  resolveModule(from: FileContext, specifier: string): FileContext | undefined {
    if (!this.host || !(specifier.startsWith('.') || specifier.startsWith('/'))) return undefined;
    const base = normalizePath(specifier.startsWith('/') ? specifier : `${dirname(from.path)}/${specifier}`);
    const candidates: string[] = [];
    const jsExt = /\.(m|c)?jsx?$/.exec(base);
    if (jsExt) {
      const stem = base.slice(0, -jsExt[0].length);
      candidates.push(`${stem}${jsExt[0].replace('js', 'ts')}`, `${stem}.tsx`);
    }
    candidates.push(base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => `${base}/index${e}`));
    for (const candidate of candidates) {
      const file = this.file(candidate);
      if (file) return file;
    }
    return undefined;
  }

  /** The declaration a name refers to: local (scoped), or across an import to the exporting file. */
  declarationOf(id: ts.Identifier, file: FileContext, depth = 0): Located | undefined {
    const local = file.resolver.declarationOf(id) ?? topLevel(file, id.text);
    if (!local) return undefined;
    const imported = file.resolver.importOf(local);
    if (imported && (ts.isImportClause(local) || ts.isImportSpecifier(local) || ts.isImportEqualsDeclaration(local) || ts.isNamespaceImport(local) || ts.isBindingElement(local) || ts.isVariableDeclaration(local))) {
      if (ts.isVariableDeclaration(local) && !isRequireOf(local)) return { node: local, file };
      const target = this.resolveModule(file, imported.module);
      if (!target) return { node: local, file };
      if (imported.name === '*') return { node: target.sourceFile, file: target };
      return this.exported(target, imported.name, depth + 1) ?? { node: local, file };
    }
    return { node: local, file };
  }

  /** What a file exports under a name ('default' for the default export). */
  exported(file: FileContext, name: string, depth = 0): Located | undefined {
    if (depth > MAX_DEPTH) return undefined;
    for (const statement of file.sourceFile.statements) {
      if (name === 'default' && ts.isExportAssignment(statement)) return { node: statement.expression, file };
      if ((ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
        if (name === 'default' ? hasModifier(statement, ts.SyntaxKind.DefaultKeyword) : statement.name?.text === name) return { node: statement, file };
      }
      if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) && hasModifier(statement, ts.SyntaxKind.ExportKeyword) && statement.name.text === name) return { node: statement, file };
      if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
        for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return { node: declaration, file };
      }
      if (ts.isExportDeclaration(statement)) {
        const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
        const clause = statement.exportClause;
        if (!clause && from !== undefined) {
          const target = this.resolveModule(file, from);
          const found = target && this.exported(target, name, depth + 1);
          if (found) return found;
        } else if (clause && ts.isNamedExports(clause)) {
          for (const specifier of clause.elements) {
            if (specifier.name.text !== name) continue;
            const original = (specifier.propertyName ?? specifier.name).text;
            if (from !== undefined) {
              const target = this.resolveModule(file, from);
              return target ? this.exported(target, original, depth + 1) : undefined;
            }
            const local = topLevel(file, original);
            if (!local) return undefined;
            const imported = file.resolver.importOf(local);
            if (imported) {
              const target = this.resolveModule(file, imported.module);
              return target ? this.exported(target, imported.name, depth + 1) : undefined;
            }
            return { node: local, file };
          }
        }
      }
      // CommonJS: module.exports = { a, b: … } / module.exports = X / exports.a = … / module.exports.a = …
      if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const { left, right } = statement.expression;
        const target = exportTarget(left);
        if (target === 'module') {
          const value = skipOuter(right);
          if (name === 'default') return { node: value, file };
          if (ts.isObjectLiteralExpression(value)) {
            for (const property of value.properties) {
              if (propertyNameText(property.name) !== name) continue;
              if (ts.isPropertyAssignment(property)) return { node: property.initializer, file };
              if (ts.isShorthandPropertyAssignment(property)) return this.declarationOf(property.name, file, depth + 1);
              if (ts.isMethodDeclaration(property)) return { node: property, file };
            }
          }
        } else if (target === name) return { node: right, file };
      }
    }
    return undefined;
  }

  /**
   * The expression a name stands for, followed through consts, imports, object members and `as`:
   * `Q` → `z.object({…})`, `schemas.search` → its initializer, `import { Q } from './q'` → there.
   */
  valueOf(expr: ts.Expression, file: FileContext, depth = 0): Located<ts.Expression> {
    const here = { node: skipOuter(expr), file };
    if (depth > MAX_DEPTH) return here;
    const node = here.node;
    if (ts.isIdentifier(node)) {
      const declaration = this.declarationOf(node, file, depth);
      if (!declaration) return here;
      const value = declarationValue(declaration.node);
      return value ? this.valueOf(value, declaration.file, depth + 1) : here;
    }
    const access = ts.isPropertyAccessExpression(node) ? node.name.text : ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : undefined;
    if (access !== undefined && (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))) {
      const base = skipOuter(node.expression);
      if (ts.isIdentifier(base)) {
        const declaration = this.declarationOf(base, file, depth);
        if (declaration && ts.isSourceFile(declaration.node)) {
          const found = this.exported(declaration.file, access, depth + 1);
          const value = found && (declarationValue(found.node) ?? (isExpressionNode(found.node) ? found.node : undefined));
          return value ? this.valueOf(value, found.file, depth + 1) : here;
        }
        if (declaration && ts.isEnumDeclaration(declaration.node)) {
          const member = declaration.node.members.find((m) => propertyNameText(m.name) === access);
          return member?.initializer ? { node: member.initializer, file: declaration.file } : here;
        }
      }
      const object = this.valueOf(base, file, depth + 1);
      if (ts.isObjectLiteralExpression(object.node)) {
        for (const property of object.node.properties) {
          if (propertyNameText(property.name) !== access) continue;
          if (ts.isPropertyAssignment(property)) return this.valueOf(property.initializer, object.file, depth + 1);
          if (ts.isShorthandPropertyAssignment(property)) return this.valueOf(property.name, object.file, depth + 1);
          return here;
        }
      }
    }
    return here;
  }

  /** A class, interface, type alias or enum a type name refers to. */
  typeDeclaration(name: ts.EntityName, file: FileContext, depth = 0): Located | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (ts.isQualifiedName(name)) {
      const left = ts.isIdentifier(name.left) ? this.declarationOf(name.left, file, depth) : undefined;
      return left && ts.isSourceFile(left.node) ? this.exported(left.file, name.right.text, depth + 1) : undefined;
    }
    const found = this.declarationOf(name, file, depth);
    if (found && (ts.isClassDeclaration(found.node) || ts.isInterfaceDeclaration(found.node) || ts.isTypeAliasDeclaration(found.node) || ts.isEnumDeclaration(found.node))) return found;
    const local = topLevel(file, name.text, true);
    return local ? { node: local, file } : undefined;
  }
}

function isRequireOf(declaration: ts.VariableDeclaration): boolean {
  let init = declaration.initializer && skipOuter(declaration.initializer);
  if (init && ts.isPropertyAccessExpression(init)) init = skipOuter(init.expression);
  return !!init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require';
}

function isExpressionNode(node: ts.Node): node is ts.Expression {
  return ts.isExpression(node as ts.Expression) || ts.isObjectLiteralExpression(node) || ts.isCallExpression(node);
}

/** `module.exports` → 'module'; `exports.a` / `module.exports.a` → 'a'. */
function exportTarget(left: ts.Expression): string | undefined {
  const isModuleExports = (e: ts.Expression) => ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'module' && e.name.text === 'exports';
  if (isModuleExports(left)) return 'module';
  if (ts.isPropertyAccessExpression(left) && ((ts.isIdentifier(left.expression) && left.expression.text === 'exports') || isModuleExports(left.expression))) return left.name.text;
  return undefined;
}

/** The value of a declaration: a variable's initializer, an export's expression. */
function declarationValue(node: ts.Node): ts.Expression | undefined {
  if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) return node.initializer;
  if (ts.isExportAssignment(node)) return node.expression;
  if (ts.isBindingElement(node)) return undefined;
  if (isExpressionNode(node) && !ts.isSourceFile(node) && !ts.isClassDeclaration(node) && !ts.isFunctionDeclaration(node)) return node as ts.Expression;
  return undefined;
}

/** A top-level declaration by name (variables, functions, classes, enums; with types: interfaces and type aliases too). */
export function topLevel(file: FileContext, name: string, types = false): ts.Node | undefined {
  for (const statement of file.sourceFile.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration;
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name?.text === name) return statement;
    else if (types && (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name.text === name) return statement;
    else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name?.text === name) return clause;
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name) return bindings;
      if (bindings && ts.isNamedImports(bindings)) for (const specifier of bindings.elements) if (specifier.name.text === name) return specifier;
    }
  }
  return undefined;
}
