// Schema libraries as JSON Schema: zod (`z.object({ q: z.string().min(1) })`), joi
// (`Joi.object({ q: Joi.string().required() })`), TypeBox (`Type.Object({ q: Type.String() })`),
// and plain JSON Schema literals. Pure: no I/O.
import ts from 'typescript';
import { skipOuter } from '../resolve';
import type { FileContext, Program } from './program';
import { asSchema, isPlainObject, objectSchema, type Converted, type JsonSchema } from './schema';
import { UNKNOWN, evaluate, keyOf, libraryOf, unwindChain, type ChainStep } from './values';

export type SchemaKind = 'zod' | 'joi' | 'typebox' | 'json';

export interface ConvertedSchema extends Converted {
  kind: SchemaKind;
}

const MAX_DEPTH = 12;

const FORMATS: Record<string, string> = {
  email: 'email',
  uuid: 'uuid',
  guid: 'uuid',
  url: 'uri',
  uri: 'uri',
  datetime: 'date-time',
  isoDate: 'date-time',
  date: 'date',
  time: 'time',
  ip: 'ipv4',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  hostname: 'hostname',
};

/** A schema from an expression: a zod/joi/TypeBox chain or a JSON Schema literal, seen through names and imports. */
export function convertSchema(expr: ts.Expression, file: FileContext, program: Program, depth = 0): ConvertedSchema | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const { node, file: at } = program.valueOf(expr, file);
  if (ts.isObjectLiteralExpression(node)) {
    const value = evaluate(node, at, program, (call, callFile) => convertSchema(call, callFile, program, depth + 1)?.schema);
    const schema = asSchema(value);
    return schema ? { kind: 'json', schema, optional: false } : undefined;
  }
  if (!ts.isCallExpression(node) && !ts.isPropertyAccessExpression(node)) return undefined;
  const kind = chainKind(node, at, program, depth);
  if (!kind) return undefined;
  const converted = new ChainConverter(program, kind, depth).convert(node, at);
  return converted && { ...converted, kind };
}

/** Which library a chain belongs to, through local schemas it extends (`Base.extend({…})`). */
function chainKind(expr: ts.Expression, file: FileContext, program: Program, depth: number): SchemaKind | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const { root, steps } = unwindChain(expr);
  const library = libraryOf(root, file);
  if (library === 'zod' || library === 'joi' || library === 'typebox') return library;
  if (!ts.isIdentifier(root) || !steps.length) return undefined;
  const value = program.valueOf(root, file);
  if (value.node === root) return undefined;
  return chainKind(value.node, value.file, program, depth + 1);
}

class ChainConverter {
  constructor(
    private readonly program: Program,
    private readonly kind: SchemaKind,
    private readonly depth: number,
  ) {}

  /** A sub-schema (an argument): any kind, defaulting to this converter's own. */
  private sub(expr: ts.Expression | undefined, file: FileContext): Converted | undefined {
    if (!expr) return undefined;
    return convertSchema(expr, file, this.program, this.depth + 1);
  }

  private value(expr: ts.Expression | undefined, file: FileContext): unknown {
    return evaluate(expr, file, this.program, (call, at) => this.sub(call, at)?.schema);
  }

  /** `{ a: schema, b: schema }` → an object schema. */
  private shape(expr: ts.Expression | undefined, file: FileContext, allOptional: boolean): JsonSchema | undefined {
    if (!expr) return undefined;
    const { node, file: at } = this.program.valueOf(expr, file);
    if (!ts.isObjectLiteralExpression(node)) {
      const converted = this.sub(node, at);
      return converted?.schema;
    }
    const fields: Array<[string, Converted]> = [];
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.program.valueOf(property.expression, at);
        // `...Base.shape` (zod) spreads another object's fields.
        const target = ts.isPropertyAccessExpression(spread.node) && spread.node.name.text === 'shape' ? spread.node.expression : spread.node;
        const inner = this.shape(target, spread.file, allOptional);
        for (const [name, schema] of Object.entries(inner?.properties ?? {})) fields.push([name, { schema, optional: allOptional || !(inner?.required ?? []).includes(name) }]);
        continue;
      }
      const name = keyOf(property.name, at, this.program);
      const init = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      if (name === undefined || !init) continue;
      const converted = this.sub(init, at);
      if (converted) fields.push([name, { schema: converted.schema, optional: allOptional || converted.optional }]);
    }
    return objectSchema(fields);
  }

  convert(expr: ts.Expression, file: FileContext): Converted | undefined {
    const { root, steps } = unwindChain(expr);
    let i = 0;
    let current: Converted | undefined;
    const library = libraryOf(root, file);
    if (library === this.kind) {
      let iso = false;
      while (i < steps.length && (!steps[i].args || steps[i].name === 'coerce' || steps[i].name === 'iso')) iso ||= steps[i++].name === 'iso';
      const base = steps[i++];
      if (!base) return undefined;
      current = this.base(base, file, iso);
    } else if (ts.isIdentifier(root)) {
      const value = this.program.valueOf(root, file);
      if (value.node === root) return undefined;
      current = this.sub(value.node, value.file);
    }
    if (!current) return undefined;
    for (; i < steps.length; i++) current = this.modify(current, steps[i], file);
    return current;
  }

  private base(step: ChainStep, file: FileContext, iso: boolean): Converted | undefined {
    const args = step.args ?? [];
    const optional = this.kind === 'joi';
    const plain = (schema: JsonSchema): Converted => ({ schema, optional });
    const options = (index: number): JsonSchema => (this.kind === 'typebox' ? (asSchema(this.value(args[index], file)) ?? {}) : {});
    const name = step.name;
    if (this.kind === 'typebox' && name === 'Optional') {
      const inner = this.sub(args[0], file);
      return inner && { schema: inner.schema, optional: true };
    }
    switch (name.toLowerCase()) {
      case 'string':
      case 'templateliteral':
        return plain({ type: 'string', ...options(0) });
      case 'number':
        return plain({ type: 'number', ...options(0) });
      case 'int':
      case 'integer':
      case 'bigint':
        return plain({ type: 'integer', ...options(0) });
      case 'boolean':
      case 'bool':
        return plain({ type: 'boolean', ...options(0) });
      case 'null':
        return plain({ type: 'null' });
      case 'date':
        return plain({ type: 'string', format: iso ? 'date' : 'date-time' });
      case 'object':
      case 'strictobject':
      case 'looseobject':
      case 'keys': {
        const shape = args.length ? this.shape(args[0], file, false) : { type: 'object', properties: {}, required: [] };
        return shape && plain({ ...shape, ...options(1) });
      }
      case 'array': {
        const items = this.sub(args[0], file);
        return plain({ type: 'array', ...(items ? { items: items.schema } : {}), ...options(1) });
      }
      case 'enum':
      case 'nativeenum': {
        const values = enumValues(this.value(args[0], file)) ?? this.enumDeclaration(args[0], file);
        return values ? plain({ enum: values }) : plain({});
      }
      case 'literal':
      case 'const': {
        const value = this.value(args[0], file);
        return plain(value === UNKNOWN ? {} : { const: value });
      }
      case 'union':
      case 'discriminatedunion':
      case 'alternatives':
      case 'intersect': {
        const list = this.program.valueOf(args[name === 'discriminatedUnion' ? 1 : 0] ?? args[0], file);
        const members = ts.isArrayLiteralExpression(list.node) ? list.node.elements.map((e) => this.sub(e, list.file)?.schema).filter((s): s is JsonSchema => !!s) : [];
        return plain(name.toLowerCase() === 'intersect' ? { allOf: members } : { anyOf: members });
      }
      case 'optional':
      case 'nullable':
      case 'nullish':
      case 'partial':
      case 'required':
      case 'readonly':
      case 'preprocess': {
        const inner = this.sub(args[name === 'preprocess' ? 1 : 0], file);
        if (!inner) return undefined;
        return this.modify(inner, { name, args: [] }, file);
      }
      case 'any':
      case 'unknown':
      case 'record':
      case 'map':
        return plain({});
      default: {
        const format = FORMATS[name];
        return format ? plain({ type: 'string', format }) : undefined;
      }
    }
  }

  private enumDeclaration(expr: ts.Expression | undefined, file: FileContext): unknown[] | undefined {
    const target = expr && skipOuter(expr);
    if (!target || !ts.isIdentifier(target)) return undefined;
    const declaration = this.program.declarationOf(target, file);
    if (!declaration || !ts.isEnumDeclaration(declaration.node)) return undefined;
    return enumMembers(declaration.node, this.program, declaration.file);
  }

  private modify(current: Converted, step: ChainStep, file: FileContext): Converted {
    const { schema } = current;
    const args = step.args ?? [];
    const number = (index = 0) => {
      const value = this.value(args[index], file);
      return typeof value === 'number' ? value : undefined;
    };
    const isString = schema.type === 'string';
    const isNumber = schema.type === 'number' || schema.type === 'integer';
    const with_ = (extra: JsonSchema): Converted => ({ ...current, schema: { ...schema, ...extra } });
    switch (step.name) {
      case 'optional':
      case 'nullish':
        return { ...current, optional: true };
      case 'required':
      case 'exist':
      case 'nonoptional':
        if (this.kind === 'zod' && schema.properties) return with_({ required: Object.keys(schema.properties) });
        return { ...current, optional: false };
      case 'partial':
        return schema.properties ? with_({ required: [] }) : current;
      case 'default':
      case 'catch':
      case 'prefault': {
        const value = this.value(args[0], file);
        return { schema: value === UNKNOWN || typeof value === 'function' ? schema : { ...schema, default: value }, optional: true };
      }
      case 'example':
      case 'examples': {
        const value = this.value(args[0], file);
        return value === UNKNOWN ? current : with_({ example: Array.isArray(value) && step.name === 'examples' ? value[0] : value });
      }
      case 'describe':
      case 'description': {
        const value = this.value(args[0], file);
        return typeof value === 'string' ? with_({ description: value }) : current;
      }
      case 'meta':
      case 'openapi': {
        const value = this.value(args[0], file);
        if (!isPlainObject(value)) return current;
        const extra: JsonSchema = {};
        if (value.example !== undefined) extra.example = value.example;
        if (Array.isArray(value.examples) && value.examples.length) extra.example = value.examples[0];
        if (typeof value.description === 'string') extra.description = value.description;
        return with_(extra);
      }
      case 'int':
      case 'integer':
      case 'safe':
        return with_({ type: 'integer' });
      case 'positive':
        return with_({ exclusiveMinimum: 0 });
      case 'nonnegative':
        return with_({ minimum: 0 });
      case 'min':
      case 'gte':
      case 'greater':
      case 'gt': {
        const n = number();
        if (n === undefined) return current;
        const strict = step.name === 'gt' || step.name === 'greater';
        if (isString) return with_({ minLength: strict ? n + 1 : n });
        if (isNumber) return with_(strict ? { exclusiveMinimum: n } : { minimum: n });
        return current;
      }
      case 'max':
      case 'lte':
      case 'less':
      case 'lt': {
        const n = number();
        if (n === undefined) return current;
        if (isString) return with_({ maxLength: n });
        if (isNumber) return with_({ maximum: step.name === 'lt' || step.name === 'less' ? n - 1 : n });
        return current;
      }
      case 'length': {
        const n = number();
        return n !== undefined && isString ? with_({ minLength: n, maxLength: n }) : current;
      }
      case 'nonempty':
        return isString ? with_({ minLength: Math.max(1, schema.minLength ?? 0) }) : current;
      case 'valid':
      case 'allow':
      case 'equal': {
        if (step.name === 'allow') return current;
        const values = args.flatMap((a) => {
          const v = this.value(a, file);
          return Array.isArray(v) ? v : v === UNKNOWN ? [] : [v];
        });
        return values.length ? with_({ enum: values }) : current;
      }
      case 'array':
        return { schema: { type: 'array', items: schema }, optional: current.optional };
      case 'items': {
        const items = this.sub(args[0], file);
        return items ? with_({ type: 'array', items: items.schema }) : current;
      }
      case 'extend':
      case 'keys':
      case 'append':
      case 'merge':
      case 'safeExtend':
      case 'and': {
        const extra = step.name === 'merge' || step.name === 'and' ? this.sub(args[0], file)?.schema : this.shape(args[0], file, false);
        if (!extra?.properties) return current;
        const required = [...(schema.required ?? []).filter((r) => !(r in extra.properties!)), ...(extra.required ?? [])];
        return with_({ type: 'object', properties: { ...schema.properties, ...extra.properties }, required });
      }
      case 'pick':
      case 'omit': {
        const keys = this.value(args[0], file);
        const names = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : isPlainObject(keys) ? Object.keys(keys) : undefined;
        if (!names || !schema.properties) return current;
        const keep = (n: string) => (step.name === 'pick' ? names.includes(n) : !names.includes(n));
        return with_({ properties: Object.fromEntries(Object.entries(schema.properties).filter(([n]) => keep(n))), required: (schema.required ?? []).filter(keep) });
      }
      case 'presence': {
        const value = this.value(args[0], file);
        return value === 'required' ? { ...current, optional: false } : value === 'optional' ? { ...current, optional: true } : current;
      }
      default: {
        const format = FORMATS[step.name];
        if (format && isString) return with_({ format });
        return current;
      }
    }
  }
}

function enumValues(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value.length ? value : undefined;
  if (isPlainObject(value)) {
    const values = Object.values(value).filter((v) => typeof v === 'string' || typeof v === 'number');
    return values.length ? values : undefined;
  }
  return undefined;
}

/** The values of a TypeScript enum: initializers when constant, else the member names' numbers. */
export function enumMembers(declaration: ts.EnumDeclaration, program: Program, file: FileContext): unknown[] {
  let next = 0;
  const values: unknown[] = [];
  for (const member of declaration.members) {
    const value = member.initializer ? evaluate(member.initializer, file, program) : next;
    if (typeof value === 'number') next = value + 1;
    if (value !== UNKNOWN) values.push(value);
  }
  return values;
}
