import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Exported so test/lint.test.ts can prove the rules fire. */
export const OUTPUT_GATE_RULES = {
  'no-console': 'error',
  'no-restricted-syntax': [
    'error',
    {
      selector: "MemberExpression[object.name='process'][property.name=/^std(out|err)$/]",
      message: 'Write through src/terminal/output.ts (print, printError, printStyled, printJson): it makes peer text safe.',
    },
  ],
};

/**
 * The layers, bottom up: each folder of src/ and the folders it must never import (statically).
 * crypto and protocol import nothing above them; server and client never import each other; only
 * cli/ reaches the lab, and only by a dynamic import (so `dhlab server` never loads blessed).
 * The secure path (everything but insecure/, scenario/, lab/ and cli/'s flag parsing) never
 * imports src/insecure/: README's promise, checked. test/lint.test.ts proves each rule fires.
 */
const ALL = ['crypto', 'protocol', 'terminal', 'server', 'client', 'tap', 'insecure', 'scenario', 'exercises', 'lab', 'cli'];
export const LAYERS = {
  crypto: ALL.filter((f) => f !== 'crypto'),
  protocol: ALL.filter((f) => !['crypto', 'protocol'].includes(f)),
  terminal: ['server', 'client', 'tap', 'insecure', 'scenario', 'exercises', 'lab', 'cli'],
  server: ['client', 'tap', 'insecure', 'scenario', 'exercises', 'lab', 'cli'],
  client: ['server', 'tap', 'insecure', 'scenario', 'exercises', 'lab', 'cli'],
  tap: ['server', 'client', 'insecure', 'scenario', 'exercises', 'lab', 'cli'],
  insecure: ['server', 'client', 'tap', 'scenario', 'exercises', 'lab', 'cli', 'terminal'],
  scenario: ['exercises', 'lab', 'cli'],
  // The grader: the spec's code, the toy groups, and (for the client exercise) real servers.
  exercises: ['scenario', 'lab', 'cli'],
  lab: ['exercises', 'cli'],
  // cli/ may import the weakenings' flag parser (insecure/flags.ts) and `dhlab aes`'s by-hand AES, nothing else of insecure/.
  cli: ['lab'],
};
/** Files at the top of src/ (errors.ts, config-dir.ts) are the base every layer may use. */
const ROOT_FILES_FORBID = ALL;

const WHY = {
  insecure: 'The secure path never imports src/insecure/ (teaching-only weakenings): take them as hooks.',
  lab: 'Only src/cli/ reaches the lab, by a dynamic import (so `dhlab server` never loads blessed).',
};

function layerRule(forbidden, extra = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: forbidden.includes('lab') ? [{ name: 'blessed', message: "blessed is the lab's: only src/lab/ draws with it." }] : [],
        patterns: [
          ...forbidden.map((folder) => ({
            group: [`**/${folder}/*`, `**/${folder}/**`, `../${folder}`, `./${folder}`],
            message: WHY[folder] ?? `src/${folder}/ is not a layer this folder may import (eslint.config.js, LAYERS).`,
          })),
          ...extra,
        ],
      },
    ],
  };
}

export const LAYER_CONFIGS = [
  ...Object.entries(LAYERS).map(([folder, forbidden]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules:
      folder === 'cli'
        ? layerRule(forbidden, [
            {
              group: ['**/insecure/**', '!**/insecure/flags.ts', '!**/insecure/aes-by-hand.ts'],
              message: 'cli/ reaches src/insecure/ only through the flag parser (flags.ts) and the by-hand AES of `dhlab aes` (aes-by-hand.ts).',
            },
          ])
        : layerRule(forbidden),
  })),
  { files: ['src/*.ts'], rules: layerRule(ROOT_FILES_FORBID) },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stryker-tmp*/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-console': 'off',
    },
  },
  {
    // The output gate (src/terminal/output.ts) is the only writer to stdout and stderr: everything
    // the CLI prints is made safe there, error paths included (docs/PROTOCOL.md s.6.3).
    files: ['src/**/*.ts', 'bin/**/*.js'],
    ignores: ['src/terminal/output.ts'],
    rules: OUTPUT_GATE_RULES,
  },
  ...LAYER_CONFIGS,
);
