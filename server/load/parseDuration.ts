/** Parsers for the load options given as text on the command line. Pure. */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER: Unit[] = ['h', 'm', 's', 'ms'];

/**
 * A duration in milliseconds from `10s`, `500ms`, `2m`, `1m30s`, `1.5s`, `1h`, or a bare number of
 * seconds. Parts go from the largest unit to the smallest, each unit at most once. Must be > 0.
 */
export function parseDuration(text: string): number {
  const invalid = (why = '') => new Error(`invalid duration ${JSON.stringify(text)}${why}: use e.g. 10s, 500ms, 2m, 1m30s, or a number of seconds`);
  const trimmed = text.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
    ms = 0;
    let lastUnit = -1;
    let at = 0;
    while (at < trimmed.length) {
      part.lastIndex = at;
      const match = part.exec(trimmed);
      if (!match) throw invalid();
      const unit = UNIT_ORDER.indexOf(match[2] as Unit);
      if (unit <= lastUnit) throw invalid(' (units must go from largest to smallest, each once)');
      lastUnit = unit;
      ms += Number(match[1]) * UNIT_MS[match[2] as Unit];
      at = part.lastIndex;
    }
    if (lastUnit < 0) throw invalid();
  }
  ms = Math.round(ms);
  if (!Number.isSafeInteger(ms)) throw invalid(' (too long)');
  if (ms <= 0) throw invalid(' (must be more than 0)');
  return ms;
}

/** `Name: value` → [name, value]. The name must be an HTTP token; the value is trimmed and may be empty. */
export function parseHeader(text: string): [string, string] {
  const invalid = (why: string) => new Error(`invalid header ${JSON.stringify(text)}: ${why}; write it as 'Name: value', e.g. 'Authorization: Bearer abc123'`);
  const colon = text.indexOf(':');
  if (colon < 0) throw invalid('no colon');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!name) throw invalid('no name before the colon');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw invalid(`${JSON.stringify(name)} is not a valid header name`);
  if (/[\r\n\0]/.test(value)) throw invalid('the value contains a line break or NUL');
  return [name, value];
}
