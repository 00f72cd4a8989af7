// The line format the extension-host suite prints per test, shared with the harness.
export const RESULT_PREFIX = 'PERFLENS_TEST ';

export interface TestResult {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}
