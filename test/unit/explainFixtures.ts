// The real EXPLAIN fixtures (test/fixtures/explain/, made by scripts/fixtures/explainFixtures.mjs
// from the demo's PostgreSQL): what pg returned in rows[0]['QUERY PLAN'], with the statement.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPlan } from '../../server/queries/explainPlan';
import type { ExplainResult } from '../../server/queries/explainTypes';

export const explainDir = join(__dirname, '..', 'fixtures', 'explain');

export interface ExplainFixture {
  name: string;
  statement: string;
  values: unknown[];
  analyzed: boolean;
  postgres: string;
  queryPlan: unknown;
}

/** `search.analyze`, `statusSince.plan`, … */
export function explainFixture(file: string): ExplainFixture {
  return JSON.parse(readFileSync(join(explainDir, `${file}.json`), 'utf8')) as ExplainFixture;
}

export function explainFixtureNames(): string[] {
  return readdirSync(explainDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

export function readFixture(file: string, options?: Parameters<typeof readPlan>[3]): ExplainResult {
  const fixture = explainFixture(file);
  return readPlan(fixture.queryPlan, fixture.statement, fixture.analyzed, options);
}
