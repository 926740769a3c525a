import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'bin/', 'node_modules/', 'src/trainer/', '.cache/', 'demo/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // A spread passes each element as an argument: past ~120,000 elements the call overflows the stack
    // ("Maximum call stack size exceeded"), and a dataset can have a million findings. Loop or concat.
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['push', 'unshift', 'splice', 'fromCharCode', 'max', 'min'].map((name) => ({
          selector: `CallExpression[callee.property.name='${name}'] > SpreadElement`,
          message: `${name}(...array) overflows the stack on large arrays: loop, or use concat/reduce.`,
        })),
      ],
    },
  },
  {
    // CommonJS, as the editor requires it: the test stand-in for the Python extension.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', exports: 'writable', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
