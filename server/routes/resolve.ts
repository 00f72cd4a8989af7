// Name resolution within one file, without a type checker: which declaration an identifier refers
// to (lexical scopes, parameters, imports, `require`), and the value of constant string expressions
// ('/x', `${BASE}/x`, BASE + '/x', ROUTES.users, Paths.Users, this.path). Pure: no I/O.
import ts from 'typescript';

/** Where an imported binding comes from: `name` is 'default', '*' (namespace) or the exported name. */
export interface ImportRef {
  module: string;
  name: string;
}

const MAX_DEPTH = 8;

/** Parentheses, type assertions, `!` and `satisfies` around an expression. */
export function skipOuter(expr: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isTypeAssertionExpression(expr)) expr = expr.expression;
    else return expr;
  }
}

/**
 * A string made of parts: a template literal or `a + b`, each part's value from `part`. Undefined
 * when `expr` is neither; `{ value: undefined }` when a part is not known.
 */
export function joinedString(expr: ts.Expression, part: (expr: ts.Expression) => string | undefined): { value: string | undefined } | undefined {
  if (ts.isTemplateExpression(expr)) {
    let text = expr.head.text;
    for (const span of expr.templateSpans) {
      const value = part(span.expression);
      if (value === undefined) return { value: undefined };
      text += value + span.literal.text;
    }
    return { value: text };
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = part(expr.left);
    const right = left === undefined ? undefined : part(expr.right);
    return { value: left === undefined || right === undefined ? undefined : left + right };
  }
  return undefined;
}

/** `require('m')` → 'm'. */
export function requiredModule(expr: ts.Expression): string | undefined {
  expr = skipOuter(expr);
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && expr.expression.text === 'require' && expr.arguments.length === 1 && ts.isStringLiteralLike(expr.arguments[0])) return expr.arguments[0].text;
  return undefined;
}

/** The name of a property / member / enum member, when it is written as a plain name or string. */
export function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

function isScope(node: ts.Node): node is ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause {
  return ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node);
}

/** The node declaring `name` inside a binding (identifier or destructuring pattern), if any. */
function findInBinding(binding: ts.BindingName, owner: ts.Node, name: string): ts.Node | undefined {
  if (ts.isIdentifier(binding)) return binding.text === name ? owner : undefined;
  for (const element of binding.elements) {
    if (ts.isOmittedExpression(element)) continue;
    const found = findInBinding(element.name, element, name);
    if (found) return found;
  }
  return undefined;
}

export class Resolver {
  private readonly scopes = new Map<ts.Node, Map<string, ts.Node>>();

  constructor(readonly sourceFile: ts.SourceFile) {}

  /** The declaration an identifier refers to: a VariableDeclaration, Parameter, BindingElement, import node, function, class or enum. */
  declarationOf(id: ts.Identifier): ts.Node | undefined {
    const name = id.text;
    for (let node: ts.Node | undefined = id.parent; node; node = node.parent) {
      if (ts.isFunctionLike(node)) {
        for (const parameter of node.parameters) {
          const found = findInBinding(parameter.name, parameter, name);
          if (found) return found;
        }
        if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name?.text === name) return node;
      }
      if (isScope(node)) {
        const found = this.table(node).get(name);
        if (found) return found;
      }
    }
    return undefined;
  }

  private table(scope: ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause): Map<string, ts.Node> {
    let table = this.scopes.get(scope);
    if (table) return table;
    table = new Map();
    const add = (name: string | undefined, node: ts.Node) => {
      if (name && !table!.has(name)) table!.set(name, node);
    };
    const addBinding = (binding: ts.BindingName, owner: ts.Node) => {
      if (ts.isIdentifier(binding)) add(binding.text, owner);
      else for (const element of binding.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name, element);
    };
    for (const statement of scope.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) addBinding(declaration.name, declaration);
      } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
        add(statement.name?.text, statement);
      } else if (ts.isImportDeclaration(statement) && statement.importClause) {
        const clause = statement.importClause;
        add(clause.name?.text, clause);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name.text, bindings);
        else if (bindings) for (const specifier of bindings.elements) add(specifier.name.text, specifier);
      } else if (ts.isImportEqualsDeclaration(statement)) {
        add(statement.name.text, statement);
      }
    }
    this.scopes.set(scope, table);
    return table;
  }

  /** Where a declaration's value is imported from (ES import, `import x = require()`, `require()` and its destructuring). */
  importOf(declaration: ts.Node | undefined): ImportRef | undefined {
    if (!declaration) return undefined;
    const moduleOf = (node: ts.Node): string | undefined => {
      for (let n: ts.Node | undefined = node; n; n = n.parent) if (ts.isImportDeclaration(n)) return ts.isStringLiteral(n.moduleSpecifier) ? n.moduleSpecifier.text : undefined;
      return undefined;
    };
    if (ts.isImportClause(declaration)) {
      const module = moduleOf(declaration);
      return module === undefined ? undefined : { module, name: 'default' };
    }
    if (ts.isNamespaceImport(declaration)) {
      const module = moduleOf(declaration);
      return module === undefined ? undefined : { module, name: '*' };
    }
    if (ts.isImportSpecifier(declaration)) {
      const module = moduleOf(declaration);
      return module === undefined ? undefined : { module, name: (declaration.propertyName ?? declaration.name).text };
    }
    if (ts.isImportEqualsDeclaration(declaration)) {
      const reference = declaration.moduleReference;
      return ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression) ? { module: reference.expression.text, name: 'default' } : undefined;
    }
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      if (ts.isIdentifier(declaration.name)) return this.requireRef(declaration.initializer);
      return undefined;
    }
    if (ts.isBindingElement(declaration)) {
      // const { Router } = require('express')  /  const { Router: R } = require('express')
      const pattern = declaration.parent;
      const owner = pattern.parent;
      if (ts.isObjectBindingPattern(pattern) && ts.isVariableDeclaration(owner) && owner.initializer) {
        const base = this.requireRef(owner.initializer);
        const name = propertyNameText(declaration.propertyName ?? declaration.name);
        if (base && name) return { module: base.module, name: base.name === 'default' ? name : base.name };
      }
    }
    return undefined;
  }

  /** `require('m')` → m's default, `require('m').X` → m's X. */
  private requireRef(expr: ts.Expression): ImportRef | undefined {
    expr = skipOuter(expr);
    const module = requiredModule(expr);
    if (module !== undefined) return { module, name: 'default' };
    if (ts.isPropertyAccessExpression(expr)) {
      const inner = requiredModule(expr.expression);
      if (inner !== undefined) return { module: inner, name: expr.name.text };
    }
    return undefined;
  }

  /** Where an expression's value is imported from: an imported identifier, `require('m')`, or a member of an imported namespace. */
  importRefOf(expr: ts.Expression): ImportRef | undefined {
    expr = skipOuter(expr);
    if (ts.isIdentifier(expr)) return this.importOf(this.declarationOf(expr));
    const required = this.requireRef(expr);
    if (required) return required;
    if (ts.isPropertyAccessExpression(expr)) {
      const base = this.importRefOf(expr.expression);
      if (base && (base.name === '*' || base.name === 'default')) return { module: base.module, name: expr.name.text };
    }
    return undefined;
  }

  /** The value of a constant string expression, or undefined when it is not known in this file. */
  constString(expr: ts.Expression | undefined, depth = 0): string | undefined {
    if (!expr || depth > MAX_DEPTH) return undefined;
    expr = skipOuter(expr);
    if (ts.isStringLiteralLike(expr)) return expr.text;
    const joined = joinedString(expr, (part) => this.constString(part, depth + 1));
    if (joined) return joined.value;
    const value = this.valueOf(expr, depth);
    return value ? this.constString(value, depth + 1) : undefined;
  }

  /** The expression a name stands for: a variable's initializer, an object literal's property, an enum member's initializer, a class property's initializer. */
  valueOf(expr: ts.Expression, depth = 0): ts.Expression | undefined {
    if (depth > MAX_DEPTH) return undefined;
    expr = skipOuter(expr);
    if (ts.isIdentifier(expr)) {
      const declaration = this.declarationOf(expr);
      if (declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) return declaration.initializer;
      return undefined;
    }
    const access = ts.isPropertyAccessExpression(expr) ? { target: expr.expression, name: expr.name.text } : ts.isElementAccessExpression(expr) && ts.isStringLiteralLike(expr.argumentExpression) ? { target: expr.expression, name: expr.argumentExpression.text } : undefined;
    if (!access) return undefined;
    const target = skipOuter(access.target);
    if (target.kind === ts.SyntaxKind.ThisKeyword) return this.classProperty(target, access.name);
    if (ts.isIdentifier(target)) {
      const declaration = this.declarationOf(target);
      if (declaration && ts.isEnumDeclaration(declaration)) return declaration.members.find((m) => propertyNameText(m.name) === access.name)?.initializer;
    }
    const object = this.valueOf(target, depth + 1);
    const literal = object && skipOuter(object);
    if (literal && ts.isObjectLiteralExpression(literal)) {
      for (const property of literal.properties) {
        if (propertyNameText(property.name) !== access.name) continue;
        if (ts.isPropertyAssignment(property)) return property.initializer;
        if (ts.isShorthandPropertyAssignment(property)) return property.name;
        return undefined;
      }
    }
    return undefined;
  }

  /** `this.name` inside a class: the initializer of its property `name`. */
  private classProperty(thisNode: ts.Node, name: string): ts.Expression | undefined {
    for (let node: ts.Node | undefined = thisNode.parent; node; node = node.parent) {
      if (ts.isClassLike(node)) {
        for (const member of node.members) if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name) return member.initializer;
        return undefined;
      }
    }
    return undefined;
  }

  /** The type annotation of `this.name`'s property declaration. */
  classPropertyType(thisNode: ts.Node, name: string): ts.TypeNode | undefined {
    for (let node: ts.Node | undefined = thisNode.parent; node; node = node.parent) {
      if (ts.isClassLike(node)) {
        for (const member of node.members) if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name) return member.type;
        return undefined;
      }
    }
    return undefined;
  }
}
