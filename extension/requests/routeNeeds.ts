import * as vscode from 'vscode';
import { formatQuery, requestNeeds, type RequestNeeds } from '../../server/routes/requestNeeds';
import { fsSourceHost } from '../../server/workspace/fsSourceHost';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import { askBody, askQuery } from './editRequest';
import type { SavedRequest } from './savedRequest';

/** What the lens's route needs in its request, read from its file (the editor's text when it is open). */
export async function needsOfRoute(args: ProfileEndpointArgs): Promise<RequestNeeds> {
  const { line, character } = args.route;
  if (line === undefined || character === undefined) return { query: [] };
  const uri = vscode.Uri.parse(args.uri);
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === args.uri) ?? (await vscode.workspace.openTextDocument(uri));
  return requestNeeds(document.fileName, document.getText(), { line, character, method: args.route.method, path: args.route.path }, fsSourceHost());
}

/** The names a query string gives values to. */
function queryNames(query: string): Set<string> {
  return new Set([...new URLSearchParams(query.replace(/^\?/, '')).entries()].filter(([, v]) => v !== '').map(([k]) => k));
}

/**
 * Asks for what the route needs and the request lacks: its required query parameters (with the
 * schema's or handler's examples filled in) and its required body. Resolves with the request to
 * send, or undefined when the user backs out.
 */
export async function askForNeeds(request: SavedRequest, needs: RequestNeeds): Promise<SavedRequest | undefined> {
  const next = { ...request, headers: { ...request.headers } };
  const given = queryNames(next.query);
  const missing = needs.query.filter((q) => q.required && !given.has(q.name));
  if (missing.length) {
    const sources = [...new Set(missing.map((q) => sourceName(q.source)))].join(', ');
    const example = [next.query, formatQuery(Object.fromEntries(missing.map((q) => [q.name, q.example ?? '']))).replace(/^\?/, '')].filter(Boolean).join('&');
    const value = await askQuery(next, `${request.method} ${request.route} needs ${missing.map((q) => q.name).join(', ')} in its query string (${sources}).`, example);
    if (value === undefined) return undefined;
    next.query = value;
  }
  if (needs.body?.required && !next.body) {
    const value = await askBody(next, `${request.method} ${request.route} needs a body (${sourceName(needs.body.source)}).`, needs.body.example);
    if (value === undefined) return undefined;
    next.body = value;
    if (!Object.keys(next.headers).some((h) => h.toLowerCase() === 'content-type')) next.headers['content-type'] = needs.body.contentType;
  }
  return next;
}

function sourceName(source: string): string {
  switch (source) {
    case 'fastify-schema':
      return 'its Fastify schema';
    case 'nest-dto':
      return 'its Nest DTO';
    case 'express-validator':
      return 'its express-validator checks';
    case 'handler':
      return 'its handler rejects a request without it';
    default:
      return `its ${source} schema`;
  }
}
