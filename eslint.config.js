import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Exported so test/lint.test.ts can prove the rules fire. */
export const OUTPUT_GATE_RULES = {
  'no-console': 'error',
  'no-restricted-syntax': [
    'error',
    {
      selector: "MemberExpression[object.name='process'][property.name=/^std(out|err)$/]",
      message: 'Write through src/output.ts (print, printError, printStyled, printJson): it makes peer text safe.',
    },
  ],
};

/**
 * The secure path: what `dhlab server` and `dhlab client` run without --insecure-... flags. It
 * never imports src/insecure/ (README, "the secure path never imports it"); the flag parsing in
 * src/cli.ts and src/client-cli.ts, the scenarios and the lab may.
 */
export const SECURE_PATH = ['src/crypto/**/*.ts', 'src/protocol/**/*.ts', 'src/*.ts'];
export const SECURE_PATH_EXCEPTIONS = ['src/cli.ts', 'src/client-cli.ts'];
export const SECURE_PATH_RULES = {
  'no-restricted-imports': ['error', { patterns: [{ group: ['**/insecure/*', '**/insecure'], message: 'The secure path never imports src/insecure/ (teaching-only weakenings): take them as hooks.' }] }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stryker-tmp*/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-console': 'off',
    },
  },
  {
    // The output gate (src/output.ts) is the only writer to stdout and stderr: everything the CLI
    // prints is made safe there, error paths included (docs/PROTOCOL.md s.6.3).
    files: ['src/**/*.ts', 'lab/**/*.ts', 'bin/**/*.js'],
    ignores: ['src/output.ts'],
    rules: OUTPUT_GATE_RULES,
  },
  { files: SECURE_PATH, ignores: SECURE_PATH_EXCEPTIONS, rules: SECURE_PATH_RULES },
);
