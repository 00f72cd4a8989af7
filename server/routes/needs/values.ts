// Constant values in source: JSON-like literals (through consts, imports, spreads, `as const`),
// method chains (`z.string().min(1)`, `query('q').notEmpty()`), and which library a chain starts
// from. Pure: no I/O.
import ts from 'typescript';
import { propertyNameText, skipOuter } from '../resolve';
import type { FileContext, Program } from './program';

/** What a literal evaluates to when part of it is not known. */
export const UNKNOWN: unique symbol = Symbol('unknown');

export type CallHook = (call: ts.CallExpression, file: FileContext) => unknown;

const MAX_DEPTH = 24;

/** A JSON-like value: strings, numbers, booleans, null, arrays, objects, enum members; calls through the hook; else UNKNOWN. */
export function evaluate(expr: ts.Expression | undefined, file: FileContext, program: Program, hook?: CallHook, depth = 0): unknown {
  if (!expr || depth > MAX_DEPTH) return UNKNOWN;
  const { node, file: at } = program.valueOf(expr, file);
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isIdentifier(node) && node.text === 'undefined') return undefined;
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const value = evaluate(node.operand, at, program, hook, depth + 1);
    return typeof value === 'number' ? -value : UNKNOWN;
  }
  if (ts.isTemplateExpression(node) || ts.isBinaryExpression(node)) {
    const text = at.resolver.constString(node);
    return text === undefined ? UNKNOWN : text;
  }
  if (ts.isArrayLiteralExpression(node)) {
    const out: unknown[] = [];
    for (const element of node.elements) {
      if (ts.isSpreadElement(element)) {
        const spread = evaluate(element.expression, at, program, hook, depth + 1);
        if (Array.isArray(spread)) out.push(...spread);
        continue;
      }
      const value = evaluate(element, at, program, hook, depth + 1);
      if (value !== UNKNOWN) out.push(value);
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = evaluate(property.expression, at, program, hook, depth + 1);
        if (typeof spread === 'object' && spread !== null && !Array.isArray(spread)) Object.assign(out, spread);
        continue;
      }
      const name = keyOf(property.name, at, program);
      if (name === undefined) continue;
      let value: unknown = UNKNOWN;
      if (ts.isPropertyAssignment(property)) value = evaluate(property.initializer, at, program, hook, depth + 1);
      else if (ts.isShorthandPropertyAssignment(property)) value = evaluate(property.name, at, program, hook, depth + 1);
      if (value !== UNKNOWN) out[name] = value;
    }
    return out;
  }
  if (ts.isCallExpression(node) && hook) {
    const value = hook(node, at);
    return value === undefined ? UNKNOWN : value;
  }
  return UNKNOWN;
}

/** A property key: a name, a string, or a computed constant (`[Segments.QUERY]` → 'query' when its value is known, else 'QUERY'). */
export function keyOf(name: ts.PropertyName | undefined, file: FileContext, program: Program): string | undefined {
  if (!name) return undefined;
  const plain = propertyNameText(name);
  if (plain !== undefined) return plain;
  if (ts.isComputedPropertyName(name)) {
    const value = program.valueOf(name.expression, file).node;
    if (ts.isStringLiteralLike(value)) return value.text;
    const inner = skipOuter(name.expression);
    if (ts.isPropertyAccessExpression(inner)) return inner.name.text;
  }
  return undefined;
}

export interface ChainStep {
  name: string;
  /** Absent for a plain member access (`z.coerce`). */
  args?: readonly ts.Expression[];
}

/** `z.coerce.number().int()` → root `z`, steps coerce, number(), int(); `query('q').notEmpty()` → root `query`, steps query('q'), notEmpty(). */
export function unwindChain(expr: ts.Expression): { root: ts.Expression; steps: ChainStep[] } {
  const steps: ChainStep[] = [];
  let node = skipOuter(expr);
  for (let guard = 0; guard < 200; guard++) {
    if (ts.isCallExpression(node)) {
      const callee = skipOuter(node.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        steps.unshift({ name: callee.name.text, args: node.arguments });
        node = skipOuter(callee.expression);
        continue;
      }
      if (ts.isIdentifier(callee)) {
        steps.unshift({ name: callee.text, args: node.arguments });
        return { root: callee, steps };
      }
      break;
    }
    if (ts.isPropertyAccessExpression(node)) {
      steps.unshift({ name: node.name.text });
      node = skipOuter(node.expression);
      continue;
    }
    break;
  }
  return { root: node, steps };
}

export type Library = 'zod' | 'joi' | 'typebox' | 'express-validator' | 'class-validator';

function libraryOfModule(module: string): Library | undefined {
  if (module === 'zod' || module.startsWith('zod/')) return 'zod';
  if (module === 'joi' || module === '@hapi/joi' || module === 'celebrate') return 'joi';
  if (module === '@sinclair/typebox' || module === 'typebox' || module === '@fastify/type-provider-typebox') return 'typebox';
  if (module === 'express-validator' || module.startsWith('express-validator/')) return 'express-validator';
  if (module === 'class-validator') return 'class-validator';
  return undefined;
}

const LIBRARY_NAMES: Record<string, Library> = { z: 'zod', zod: 'zod', Joi: 'joi', joi: 'joi', Type: 'typebox' };

/**
 * The library a chain root comes from: its import, else (when the name is not declared in the file)
 * its conventional name. `names` adds conventional names (express-validator's query/body/…).
 */
export function libraryOf(root: ts.Expression, file: FileContext, names: Record<string, Library> = LIBRARY_NAMES): Library | undefined {
  if (!ts.isIdentifier(root)) return undefined;
  const declaration = file.resolver.declarationOf(root);
  if (declaration) {
    const imported = file.resolver.importOf(declaration);
    return imported ? libraryOfModule(imported.module) : undefined;
  }
  return names[root.text];
}
