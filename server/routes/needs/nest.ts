// NestJS controller methods: `@Query() dto: SearchDto`, `@Body() dto: CreateUserDto` (a DTO class
// with class-validator / @nestjs/swagger decorators, an interface or a type literal; in this file
// or imported; `extends`, PartialType/PickType/OmitType/IntersectionType), `@Query('q') q: string`
// with its pipes, `@Headers('x')`, and the parameters the handler analysis should follow. Pure: no I/O.
import ts from 'typescript';
import { propertyNameText, skipOuter } from '../resolve';
import type { Seeds } from './handlerUse';
import { hasModifier, type FileContext, type Program } from './program';
import { applyRule, newRuleState, ruleRequired } from './rules';
import { objectSchema, type Converted, type JsonSchema } from './schema';
import type { Finding, RequestPart } from './types';
import { enumMembers } from './validators';
import { UNKNOWN, evaluate } from './values';

const PARTS: Record<string, RequestPart> = { Query: 'query', Body: 'body', Headers: 'headers' };
const REQUIRING_PIPES = /^Parse(Int|Float|Bool|UUID|Enum|Array|Date)Pipe$/;
const MAX_DEPTH = 8;

function decoratorCall(decorator: ts.Decorator): { name: string; args: readonly ts.Expression[] } | undefined {
  const expr = skipOuter(decorator.expression);
  const callee = ts.isCallExpression(expr) ? skipOuter(expr.expression) : expr;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name === undefined ? undefined : { name, args: ts.isCallExpression(expr) ? expr.arguments : [] };
}

function decorators(node: ts.Node): readonly ts.Decorator[] {
  return (ts.canHaveDecorators(node) && ts.getDecorators(node)) || [];
}

export function nestFindings(method: ts.MethodDeclaration, file: FileContext, program: Program): { findings: Finding[]; seeds: Seeds } {
  const findings: Finding[] = [];
  const seeds: Required<Seeds> = { requestVars: [], objects: [], fields: [] };
  const dto = new DtoReader(program);
  for (const parameter of method.parameters) {
    try {
      const local = ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
      for (const decorator of decorators(parameter)) {
        const call = decoratorCall(decorator);
        if (!call) continue;
        if (call.name === 'Req' || call.name === 'Request') {
          if (local) seeds.requestVars.push(local);
          continue;
        }
        const part = PARTS[call.name];
        if (!part) continue;
        const key = call.args.length ? file.resolver.constString(call.args[0]) : undefined;
        if (key === undefined) {
          const schema = parameter.type ? dto.typeSchema(parameter.type, file, 0) : undefined;
          if (schema?.schema.properties || (part === 'body' && schema?.schema.type === 'array')) findings.push({ source: 'nest-dto', part, schema: schema.schema });
          else if (local) seeds.objects.push([local, part]);
          continue;
        }
        const field = parameter.type ? (dto.typeSchema(parameter.type, file, 0) ?? { schema: {}, optional: false }) : { schema: {}, optional: false };
        let required = false;
        let schema: JsonSchema = field.schema;
        for (const pipe of call.args.slice(1)) {
          const expr = skipOuter(pipe);
          const target = ts.isNewExpression(expr) || ts.isCallExpression(expr) ? skipOuter(expr.expression) : expr;
          const pipeName = ts.isIdentifier(target) ? target.text : '';
          if (pipeName === 'DefaultValuePipe' && (ts.isNewExpression(expr) || ts.isCallExpression(expr))) {
            const value = evaluate(expr.arguments?.[0], file, program);
            if (value !== UNKNOWN) schema = { ...schema, default: value };
          } else if (REQUIRING_PIPES.test(pipeName)) {
            const options = (ts.isNewExpression(expr) || ts.isCallExpression(expr)) && expr.arguments?.length ? evaluate(expr.arguments[0], file, program) : undefined;
            if (!(typeof options === 'object' && options && (options as Record<string, unknown>).optional === true)) required = true;
            if (/Int/.test(pipeName)) schema = { ...schema, type: 'integer' };
            else if (/Float/.test(pipeName)) schema = { ...schema, type: 'number' };
            else if (/Bool/.test(pipeName)) schema = { ...schema, type: 'boolean' };
            else if (/UUID/.test(pipeName)) schema = { ...schema, type: 'string', format: 'uuid' };
          }
        }
        if (schema.default !== undefined) required = false;
        findings.push({ source: 'nest-dto', part, schema: objectSchema([[key, { schema, optional: !required }]]) });
        if (local) seeds.fields.push([local, { location: part, name: key }]);
      }
    } catch {
      // One odd parameter must not cost the others.
    }
  }
  return { findings, seeds };
}

class DtoReader {
  constructor(private readonly program: Program) {}

  /** A TypeScript type as a schema; `optional` for `T | undefined`. */
  typeSchema(type: ts.TypeNode, file: FileContext, depth: number): Converted | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const plain = (schema: JsonSchema): Converted => ({ schema, optional: false });
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return plain({ type: 'string' });
      case ts.SyntaxKind.NumberKeyword:
      case ts.SyntaxKind.BigIntKeyword:
        return plain({ type: 'number' });
      case ts.SyntaxKind.BooleanKeyword:
        return plain({ type: 'boolean' });
    }
    if (ts.isParenthesizedTypeNode(type)) return this.typeSchema(type.type, file, depth + 1);
    if (ts.isArrayTypeNode(type)) {
      const items = this.typeSchema(type.elementType, file, depth + 1);
      return plain({ type: 'array', ...(items ? { items: items.schema } : {}) });
    }
    if (ts.isLiteralTypeNode(type)) {
      const literal = type.literal;
      if (ts.isStringLiteral(literal)) return plain({ const: literal.text });
      if (ts.isNumericLiteral(literal)) return plain({ const: Number(literal.text) });
      if (literal.kind === ts.SyntaxKind.TrueKeyword || literal.kind === ts.SyntaxKind.FalseKeyword) return plain({ type: 'boolean' });
      return undefined;
    }
    if (ts.isUnionTypeNode(type)) {
      const nothing = (t: ts.TypeNode) => t.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
      const members = type.types.filter((t) => !nothing(t));
      const optional = members.length < type.types.length;
      const literals = members.every((t) => ts.isLiteralTypeNode(t) && (ts.isStringLiteral(t.literal) || ts.isNumericLiteral(t.literal)));
      if (literals && members.length) return { schema: { enum: members.map((t) => (ts.isStringLiteral((t as ts.LiteralTypeNode).literal) ? ((t as ts.LiteralTypeNode).literal as ts.StringLiteral).text : Number(((t as ts.LiteralTypeNode).literal as ts.NumericLiteral).text))) }, optional };
      const first = members[0] && this.typeSchema(members[0], file, depth + 1);
      return first && { schema: first.schema, optional };
    }
    if (ts.isTypeLiteralNode(type)) return plain(this.members(type.members, file, depth + 1));
    if (ts.isTypeReferenceNode(type)) {
      const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
      const arg = type.typeArguments?.[0];
      if ((name === 'Array' || name === 'ReadonlyArray' || name === 'Set') && arg) {
        const items = this.typeSchema(arg, file, depth + 1);
        return plain({ type: 'array', ...(items ? { items: items.schema } : {}) });
      }
      if ((name === 'Partial' || name === 'Required') && arg) {
        const inner = this.typeSchema(arg, file, depth + 1);
        return inner && plain({ ...inner.schema, required: name === 'Partial' ? [] : Object.keys(inner.schema.properties ?? {}) });
      }
      if (name === 'Date') return plain({ type: 'string', format: 'date-time' });
      const declaration = this.program.typeDeclaration(type.typeName, file);
      if (!declaration) return undefined;
      const node = declaration.node;
      if (ts.isClassDeclaration(node)) return plain(this.classSchema(node, declaration.file, depth + 1));
      if (ts.isInterfaceDeclaration(node)) {
        let schema = this.members(node.members, declaration.file, depth + 1);
        for (const clause of node.heritageClauses ?? []) for (const base of clause.types) schema = mergeObjects(this.heritage(base.expression, declaration.file, depth + 1), schema);
        return plain(schema);
      }
      if (ts.isTypeAliasDeclaration(node)) return this.typeSchema(node.type, declaration.file, depth + 1);
      if (ts.isEnumDeclaration(node)) return plain({ enum: enumMembers(node, this.program, declaration.file) });
    }
    return undefined;
  }

  private members(members: readonly ts.TypeElement[], file: FileContext, depth: number): JsonSchema {
    const fields: Array<[string, Converted]> = [];
    for (const member of members) {
      if (!ts.isPropertySignature(member)) continue;
      const name = propertyNameText(member.name);
      if (name === undefined) continue;
      const sub = member.type ? this.typeSchema(member.type, file, depth) : undefined;
      fields.push([name, { schema: sub?.schema ?? {}, optional: !!member.questionToken || !!sub?.optional }]);
    }
    return objectSchema(fields);
  }

  /** A base of `extends`: a class/interface, or Nest's PartialType(X) / PickType(X, [...]) / OmitType / IntersectionType. */
  private heritage(expr: ts.Expression, file: FileContext, depth: number): JsonSchema {
    const node = skipOuter(expr);
    if (ts.isCallExpression(node) && ts.isIdentifier(skipOuter(node.expression))) {
      const fn = (skipOuter(node.expression) as ts.Identifier).text;
      const inner = node.arguments.map((a) => this.heritage(a, file, depth + 1));
      const base = inner[0] ?? {};
      const keys = node.arguments[1] ? evaluate(node.arguments[1], file, this.program) : undefined;
      const names = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
      const filter = (keep: (k: string) => boolean): JsonSchema => ({ ...base, properties: Object.fromEntries(Object.entries(base.properties ?? {}).filter(([k]) => keep(k))), required: (base.required ?? []).filter(keep) });
      if (fn === 'PartialType') return { ...base, required: [] };
      if (fn === 'PickType') return filter((k) => names.includes(k));
      if (fn === 'OmitType') return filter((k) => !names.includes(k));
      if (fn === 'IntersectionType') return inner.reduce(mergeObjects, {});
      return base;
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      const name = ts.isIdentifier(node) ? node : undefined;
      const declaration = name && this.program.typeDeclaration(name, file);
      if (declaration && ts.isClassDeclaration(declaration.node)) return this.classSchema(declaration.node, declaration.file, depth + 1);
      if (declaration && ts.isInterfaceDeclaration(declaration.node)) return this.members(declaration.node.members, declaration.file, depth + 1);
    }
    return {};
  }

  classSchema(cls: ts.ClassDeclaration, file: FileContext, depth: number): JsonSchema {
    if (depth > MAX_DEPTH) return { type: 'object', properties: {}, required: [] };
    let base: JsonSchema = {};
    for (const clause of cls.heritageClauses ?? []) if (clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types[0]) base = this.heritage(clause.types[0].expression, file, depth + 1);
    const fields: Array<[string, Converted]> = [];
    for (const member of cls.members) {
      if (!ts.isPropertyDeclaration(member) || hasModifier(member, ts.SyntaxKind.StaticKeyword)) continue;
      const name = propertyNameText(member.name);
      if (name === undefined) continue;
      const typed = member.type ? this.typeSchema(member.type, file, depth + 1) : undefined;
      const state = newRuleState();
      state.schema = { ...(typed?.schema ?? {}) };
      const list = decorators(member);
      for (const decorator of list) {
        const call = decoratorCall(decorator);
        if (!call) continue;
        const args = call.args.map((a) => {
          const node = skipOuter(a);
          if (ts.isIdentifier(node)) {
            const declaration = this.program.declarationOf(node, file);
            if (declaration && ts.isEnumDeclaration(declaration.node)) return Object.fromEntries(enumMembers(declaration.node, this.program, declaration.file).map((v, i) => [String(i), v]));
          }
          const value = evaluate(a, file, this.program);
          return value === UNKNOWN ? undefined : value;
        });
        applyRule(state, call.name, args);
      }
      if (member.initializer && state.schema.default === undefined) {
        const value = evaluate(member.initializer, file, this.program);
        if (value !== UNKNOWN && typeof value !== 'object') state.schema.default = value;
      }
      const validated = list.length > 0 && (state.validated || state.required || state.optional);
      const required = validated ? ruleRequired(state) : !member.questionToken && !typed?.optional && !member.initializer;
      fields.push([name, { schema: state.schema, optional: !required }]);
    }
    return mergeObjects(base, objectSchema(fields));
  }
}

function mergeObjects(a: JsonSchema, b: JsonSchema): JsonSchema {
  const bProps = b.properties ?? {};
  return { type: 'object', properties: { ...a.properties, ...bProps }, required: [...(a.required ?? []).filter((r) => !(r in bProps)), ...(b.required ?? [])] };
}
