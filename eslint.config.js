// Import boundaries (design.md §3):
//  - core/ is pure: no Azure, Kubernetes, network, filesystem, child processes or process.env.
//  - functions/ and cluster-agent/ never import each other; neither imports test/, scripts/ or bench/.
//  - env-exec/ (the single executable) imports core/ only.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const impure = [
  '@azure/*', '@kubernetes/*', 'applicationinsights', 'fastify', 'pino', 'prom-client',
  'node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:net', 'net', 'node:http', 'http', 'node:https', 'https',
  'node:http2', 'node:dgram', 'node:dns', 'node:tls', 'tls', 'node:child_process', 'child_process',
  'node:os', 'os', 'node:worker_threads', 'node:process', 'process', 'undici',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './functions', from: './cluster-agent', message: 'functions/ and cluster-agent/ never import each other' },
          { target: './cluster-agent', from: './functions', message: 'functions/ and cluster-agent/ never import each other' },
          { target: ['./functions', './cluster-agent', './core'], from: ['./test', './scripts', './bench'], message: 'runtime code must not import tests, scripts or benchmarks' },
          { target: './core', from: ['./functions', './cluster-agent'], message: 'core/ depends on nothing but itself' },
          { target: './core', from: './env-exec', message: 'core/ depends on nothing but itself' },
          { target: './env-exec', from: ['./functions', './cluster-agent', './test', './scripts', './bench'], message: 'env-exec/ may import core/ only' },
        ],
      }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: impure, message: 'core/ is pure: put I/O in an adapter in the runtime that uses it' }] }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'core/ reads no environment: take configuration as an argument' },
        { name: 'fetch', message: 'core/ does no network I/O' },
        { name: 'setTimeout', message: 'core/ takes time from a Clock port' },
        { name: 'setInterval', message: 'core/ takes time from a Clock port' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'core/ takes time from a Clock port' },
        { object: 'Math', property: 'random', message: 'core/ takes randomness as an argument' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core/ takes time from a Clock port' }],
    },
  },
);
