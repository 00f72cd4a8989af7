// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'demo/dist/', '.perflens/', '.vscode-test/', '.cache/', 'test/fixtures/', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', AbortController: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Pure analysis: no I/O, no VS Code. Keeps it testable alone and reusable by webviews.
    files: [
      'server/analysis/**/*.ts',
      'server/thresholds/**/*.ts',
      'server/protocol/**/*.ts',
      'server/loadtest/{loadTestFile,jsonLocation,planScenarios,loadMetrics,loadTestReport}.ts',
      'server/routes/**/*.ts',
      'server/queries/**/*.ts',
      'server/text/**/*.ts',
      'server/vitals/**/*.ts',
      'server/agent/{wire,queryCollector}.ts',
      'extension/annotations/profileIndex.ts',
      'extension/queries/{queryIndex,queryFormat}.ts',
      'extension/vitals/{blockIndex,vitalsActions,vitalsSettings,vitalsPage}.ts',
      'webview/vitals/{vitalsStore,chartData,vitalsText,messages}.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'net', 'node:net', 'child_process', 'node:child_process', 'ws', 'vscode', 'http', 'node:http'], message: 'pure module: pass data in, do I/O and VS Code calls elsewhere.' },
      ] }],
    },
  },
);
