// Fastify route schemas: `{ schema: { querystring, body, headers } }` in shorthand options or
// `fastify.route({…})`, the schema written inline, through consts, or imported; JSON Schema,
// TypeBox or zod (type providers). Pure: no I/O.
import ts from 'typescript';
import { propertyNameText } from '../resolve';
import type { Located, Program } from './program';
import type { Finding, RequestPart } from './types';
import { convertSchema } from './validators';

const PARTS: Record<string, RequestPart> = { querystring: 'query', query: 'query', body: 'body', headers: 'headers' };

export function fastifyFindings(options: Located<ts.ObjectLiteralExpression>, program: Program): Finding[] {
  const findings: Finding[] = [];
  const schemaProperty = options.node.properties.find((p) => propertyNameText(p.name) === 'schema');
  const init = schemaProperty && (ts.isPropertyAssignment(schemaProperty) ? schemaProperty.initializer : ts.isShorthandPropertyAssignment(schemaProperty) ? schemaProperty.name : undefined);
  if (!init) return findings;
  const schema = program.valueOf(init, options.file);
  if (!ts.isObjectLiteralExpression(schema.node)) return findings;
  for (const property of schema.node.properties) {
    const part = PARTS[propertyNameText(property.name) ?? ''];
    const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
    if (!part || !value) continue;
    const converted = convertSchema(value, schema.file, program);
    if (converted) findings.push({ source: 'fastify-schema', part, schema: converted.schema });
  }
  return findings;
}
