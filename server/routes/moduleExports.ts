// What a file exports, by name, as written: ES `export` forms, `export =`, CommonJS
// `module.exports = …` / `exports.name = …`, re-exports and `export *`. 'default' is the default
// export, which is also what `module.exports = …` / `export =` give to `require()`. Pure: syntax only.
import ts from 'typescript';
import { propertyNameText, skipOuter } from './resolve';

export type ExportEntry =
  | { kind: 'expr'; expr: ts.Expression }
  | { kind: 'decl'; node: ts.FunctionDeclaration | ts.ClassDeclaration | ts.VariableDeclaration | ts.EnumDeclaration }
  | { kind: 'reexport'; module: string; name: string }
  | { kind: 'local'; id: ts.Identifier }
  | { kind: 'namespace'; module: string };

export interface ModuleExports {
  named: ReadonlyMap<string, ExportEntry[]>;
  /** Modules of `export * from '…'`. */
  stars: readonly string[];
}

const cache = new WeakMap<ts.SourceFile, ModuleExports>();

export function moduleExports(sourceFile: ts.SourceFile): ModuleExports {
  let exports = cache.get(sourceFile);
  if (!exports) {
    exports = collect(sourceFile);
    cache.set(sourceFile, exports);
  }
  return exports;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === kind)) ?? false;
}

/** `module.exports`, `exports` → ''; `module.exports.x`, `exports.x` → 'x'; anything else → undefined. */
function commonJsTarget(expr: ts.Expression): string | undefined {
  expr = skipOuter(expr);
  const isModuleExports = (e: ts.Expression) => ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'module' && e.name.text === 'exports';
  if (isModuleExports(expr)) return '';
  if (ts.isIdentifier(expr) && expr.text === 'exports') return undefined; // `exports = …` rebinds the local only
  if (ts.isPropertyAccessExpression(expr)) {
    const base = skipOuter(expr.expression);
    if (isModuleExports(base) || (ts.isIdentifier(base) && base.text === 'exports')) return expr.name.text;
  }
  return undefined;
}

function collect(sourceFile: ts.SourceFile): ModuleExports {
  const named = new Map<string, ExportEntry[]>();
  const stars: string[] = [];
  const add = (name: string, entry: ExportEntry) => {
    const list = named.get(name);
    if (list) list.push(entry);
    else named.set(name, [entry]);
  };
  for (const statement of sourceFile.statements) {
    if (ts.isExportAssignment(statement)) {
      add('default', { kind: 'expr', expr: statement.expression });
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) add('default', { kind: 'decl', node: statement });
      else if (statement.name) add(statement.name.text, { kind: 'decl', node: statement });
    } else if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) add(declaration.name.text, { kind: 'decl', node: declaration });
    } else if (ts.isExportDeclaration(statement)) {
      const module = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      if (!clause) {
        if (module !== undefined) stars.push(module);
      } else if (ts.isNamespaceExport(clause)) {
        if (module !== undefined) add(clause.name.text, { kind: 'namespace', module });
      } else {
        for (const specifier of clause.elements) {
          const local = specifier.propertyName ?? specifier.name;
          const localName = ts.isIdentifier(local) ? local.text : local.text;
          if (module !== undefined) add(specifier.name.text, { kind: 'reexport', module, name: localName });
          else if (ts.isIdentifier(local)) add(specifier.name.text, { kind: 'local', id: local });
        }
      }
    } else if (ts.isExpressionStatement(statement)) {
      const expr = skipOuter(statement.expression);
      if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = commonJsTarget(expr.left);
      if (target === undefined) continue;
      // module.exports = exports.x = …: record the innermost value under every name.
      let value = skipOuter(expr.right);
      while (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.EqualsToken) value = skipOuter(value.right);
      if (target !== '') {
        add(target, { kind: 'expr', expr: value });
        continue;
      }
      add('default', { kind: 'expr', expr: value });
      if (ts.isObjectLiteralExpression(value)) {
        for (const property of value.properties) {
          const name = propertyNameText(property.name);
          if (!name) continue;
          if (ts.isPropertyAssignment(property)) add(name, { kind: 'expr', expr: property.initializer });
          else if (ts.isShorthandPropertyAssignment(property)) add(name, { kind: 'expr', expr: property.name });
        }
      }
    }
  }
  return { named, stars };
}
