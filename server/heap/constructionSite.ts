// Where inside a function a class is constructed. A sampling heap profile names only the function
// that allocated (its declaration's position), not the line; the line that says `new AuditEntry(`
// is found in the function's own body with the TypeScript parser. Pure: the source text comes in.
import ts from 'typescript';

export interface SourcePlace {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Parses a source file once for constructionPlace (TypeScript or JavaScript). */
export function parseSource(text: string, fileName: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
}

/**
 * The first `new <className>(…)` (or `new x.<className>(…)`) in the body of the function declared
 * at `line` (1-based; the one starting nearest `column` when several start on that line), nested
 * functions left out (their allocations are their own frames). Undefined when there is no such
 * function or no such expression.
 */
export function constructionPlace(file: ts.SourceFile, line: number, column: number, className: string): SourcePlace | undefined {
  const fn = functionAt(file, line - 1, column - 1);
  if (!fn?.body) return undefined;
  let found: ts.NewExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && ts.isFunctionLike(node))) return;
    if (ts.isNewExpression(node) && constructs(node.expression, className)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  if (!found) return undefined;
  const at = file.getLineAndCharacterOfPosition(found.getStart(file));
  return { line: at.line + 1, column: at.character + 1 };
}

function constructs(callee: ts.Expression, className: string): boolean {
  if (ts.isIdentifier(callee)) return callee.text === className;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === className;
}

/** The function-like node (with a body) whose declaration starts on line0, the nearest to column0. */
function functionAt(file: ts.SourceFile, line0: number, column0: number): ts.FunctionLikeDeclaration | undefined {
  let best: { fn: ts.FunctionLikeDeclaration; distance: number } | undefined;
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file));
      if (start.line === line0) {
        const distance = Math.abs(start.character - column0);
        if (!best || distance < best.distance) best = { fn: node, distance };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return best?.fn;
}

function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && node.body !== undefined;
}
