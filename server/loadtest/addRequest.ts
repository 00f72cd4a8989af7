// "Save to a load-test file": a request the user set up in the editor, added to a *.load.json (a new
// one, or an existing one whose other content is kept) so the team shares it and CI runs it. Pure.

export interface RequestToSave {
  name: string;
  method: string;
  /** With its query string: '/search?q=gift'. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A new load-test file with this request: a short steady run and gates a team can tighten. */
export function newLoadTest(baseUrl: string, request: RequestToSave): string {
  const file = {
    target: { baseUrl },
    requests: [requestEntry(request)],
    scenarios: [{ name: 'steady', type: 'sustained', rate: 20, duration: '30s' }],
    thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500', 'p(99)<1000'] },
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * The file's text with the request added to `requests`, or replacing the one of the same name. The
 * rest is kept as it was (re-indented with two spaces). Throws an Error naming the problem when the
 * text is not a load-test object.
 */
export function addRequest(text: string, request: RequestToSave): string {
  let file: unknown;
  try {
    file = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`the file is not valid JSON (${(err as Error).message}): fix it first, or save to a new file`, { cause: err });
  }
  if (!file || typeof file !== 'object' || Array.isArray(file)) throw new Error('the file is not a load-test object ({ "target": …, "requests": […], "scenarios": […] })');
  const o = file as Record<string, unknown>;
  if (o.requests !== undefined && !Array.isArray(o.requests)) throw new Error('its "requests" is not an array');
  const requests = [...((o.requests as unknown[] | undefined) ?? [])];
  const at = requests.findIndex((r) => !!r && typeof r === 'object' && (r as { name?: unknown }).name === request.name);
  if (at >= 0) requests[at] = { ...(requests[at] as object), ...requestEntry(request) };
  else requests.push(requestEntry(request));
  return `${JSON.stringify({ ...o, requests }, null, 2)}\n`;
}

function requestEntry(request: RequestToSave): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: request.name };
  if (request.method !== 'GET') entry.method = request.method;
  entry.path = request.path;
  if (Object.keys(request.headers).length) entry.headers = request.headers;
  if (request.body !== undefined && request.body !== '') entry.body = bodyValue(request.body);
  return entry;
}

/** A JSON body is kept as JSON in the file (readable); any other text as a string. */
function bodyValue(body: string): unknown {
  try {
    const value = JSON.parse(body) as unknown;
    return value !== null && typeof value === 'object' ? value : body;
  } catch {
    return body;
  }
}
