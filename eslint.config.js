import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Exported so test/lint.test.ts can prove the rules fire. */
export const OUTPUT_GATE_RULES = {
  'no-console': 'error',
  'no-restricted-syntax': [
    'error',
    {
      selector: "MemberExpression[object.name='process'][property.name=/^std(out|err)$/]",
      message:
        'Write through src/terminal/output.ts (print, printError, printStyled, printJson): it makes peer text safe.',
    },
  ],
};

/** Exported so test/lint.test.ts can prove the rules fire. */
export const SIZE_RULES = {
  'max-lines': ['error', { max: 400 }],
  'max-lines-per-function': ['error', { max: 80 }],
  // "modified": a switch over a union's kinds counts once, as a reader takes it in (ESLint's
  // complexity docs); each if, loop, && and ternary still counts.
  complexity: ['error', { max: 20, variant: 'modified' }],
};

/**
 * The layers, bottom up: each folder of src/ and the folders of src/ it must never import
 * (statically). crypto and protocol import nothing above them; server and client never import
 * each other. The secure path (everything but insecure/, scenario/ and cli/'s flag parsing) never
 * imports src/insecure/ (README's promise, checked), nor by-hand/ (teaching code, not hardened). No folder of src/ imports the top-level lab/
 * (the inspector): only cli/ reaches it, by a dynamic import, so `dhlab server` never loads blessed.
 * test/lint.test.ts proves each rule fires.
 */
const ALL = [
  'crypto',
  'capture',
  'by-hand',
  'protocol',
  'net',
  'terminal',
  'server',
  'client',
  'tap',
  'insecure',
  'loopback',
  'scenario',
  'handout',
  'exercises',
  'cli',
];
export const LAYERS = {
  crypto: ALL.filter((f) => f !== 'crypto'),
  // AES and GCM written out for teaching (FIPS-197, SP 800-38D): never on the secure path.
  'by-hand': ALL.filter((f) => !['crypto', 'by-hand'].includes(f)),
  protocol: ALL.filter((f) => !['crypto', 'protocol'].includes(f)),
  // Sockets and nothing else: the relay and listen() know no frame.
  net: ALL.filter((f) => f !== 'net'),
  // Packets and capture files (pcapng, pcap, TCP reassembly): bytes, no frame, no socket.
  capture: ALL.filter((f) => f !== 'capture'),
  terminal: [
    'by-hand',
    'net',
    'server',
    'client',
    'tap',
    'insecure',
    'loopback',
    'scenario',
    'handout',
    'exercises',
    'cli',
  ],
  server: ['by-hand', 'capture', 'client', 'tap', 'insecure', 'loopback', 'scenario', 'handout', 'exercises', 'cli'],
  client: ['by-hand', 'capture', 'server', 'tap', 'insecure', 'loopback', 'scenario', 'handout', 'exercises', 'cli'],
  tap: ['by-hand', 'server', 'client', 'insecure', 'loopback', 'scenario', 'handout', 'exercises', 'cli'],
  insecure: ['server', 'client', 'tap', 'loopback', 'scenario', 'handout', 'exercises', 'cli', 'terminal'],
  // A room on loopback: the server and the relays in front of it (lab, lessons, demo, grader).
  loopback: ['scenario', 'handout', 'exercises', 'cli'],
  scenario: ['handout', 'exercises', 'cli'],
  // A lesson's record written out as Markdown, HTML and SVG: it reads the record, runs nothing.
  handout: ['net', 'server', 'client', 'tap', 'insecure', 'loopback', 'exercises', 'cli'],
  // The grader: the spec's code, the toy groups, and (for the client exercise) real servers.
  exercises: ['scenario', 'handout', 'cli'],
  // cli/ may import the weakenings' flag parser (insecure/flags.ts), nothing else of insecure/.
  cli: [],
};
/** The inspector (top-level lab/) uses the engine but never the CLI that loads it. */
export const LAB_FORBIDS = ['cli'];
/** Files at the top of src/ (errors.ts, config-dir.ts) are the base every layer may use. */
const ROOT_FILES_FORBID = ALL;

const WHY = {
  insecure: 'The secure path never imports src/insecure/ (teaching-only weakenings): take them as hooks.',
  lab: 'Only src/cli/ reaches lab/, by a dynamic import (so `dhlab server` never loads blessed).',
  cli: 'src/cli/ loads lab/, never the reverse: lab/ takes what it needs as arguments.',
};

const LAB_PATTERN = { group: ['**/lab/*', '**/lab/**'], message: WHY.lab };
const BLESSED = [{ name: 'blessed', message: 'blessed draws the screen: only lab/view/ imports it.' }];

const SCENARIO_INSIDE = {
  parse: {
    group: ['**/runtime/*', '**/actions/*', '../runtime/**', '../actions/**'],
    message: 'scenario/parse/ reads a lesson file: it runs nothing (no runtime/, no actions/).',
  },
  actions: {
    group: ['**/runtime/world.ts', '**/runtime/runner.ts', '**/runtime/world-room.ts'],
    message: 'An action sees the run as an ActionContext (actions/action-context.ts), never the world itself.',
  },
};

function layerRule(forbidden, extra = [], { blessed = false } = {}) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: blessed ? [] : BLESSED,
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
            LAB_PATTERN,
            {
              group: ['**/insecure/**', '!**/insecure/flags.ts'],
              message: 'cli/ reaches src/insecure/ only through the flag parser (flags.ts).',
            },
          ])
        : layerRule(forbidden, [LAB_PATTERN]),
  })),
  // Inside scenario/: parsing knows no run, and an action sees the world only as an ActionContext.
  {
    files: ['src/scenario/parse/**/*.ts'],
    rules: layerRule(LAYERS.scenario, [LAB_PATTERN, SCENARIO_INSIDE.parse]),
  },
  {
    files: ['src/scenario/actions/**/*.ts'],
    rules: layerRule(LAYERS.scenario, [LAB_PATTERN, SCENARIO_INSIDE.actions]),
  },
  { files: ['src/*.ts'], rules: layerRule(ROOT_FILES_FORBID, [LAB_PATTERN]) },
  { files: ['lab/**/*.ts'], ignores: ['lab/view/**'], rules: layerRule(LAB_FORBIDS) },
  { files: ['lab/view/**/*.ts'], rules: layerRule(LAB_FORBIDS, [], { blessed: true }) },
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
    files: ['src/**/*.ts', 'lab/**/*.ts', 'bin/**/*.js'],
    ignores: ['src/terminal/output.ts'],
    rules: OUTPUT_GATE_RULES,
  },
  // The type-checked rules (floating promises, unbound methods, unsafe any...) on the code that
  // ships; tests keep the plain set. The lint test's probe files are not on disk: the project
  // service lints them as part of a default project.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['src/**/*.ts', 'lab/**/*.ts'] })),
  {
    files: ['src/**/*.ts', 'lab/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  ...LAYER_CONFIGS,
  {
    // Files a reader can hold in their head, functions that read as one script (the anchors: ws,
    // ssh2 and noble keep theirs shorter still).
    files: ['src/**/*.ts', 'lab/**/*.ts'],
    rules: SIZE_RULES,
  },
);
