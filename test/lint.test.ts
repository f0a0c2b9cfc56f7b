import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The layer table the config is built from (eslint.config.js is plain JS: typed here). */
const { LAYERS } = (await import(path.join(ROOT, 'eslint.config.js'))) as { LAYERS: Record<string, string[]> };

/**
 * Lints `code` as if it were the file at `file`, with the project's own config. The probe is not
 * on disk, so the type-checked rules (which need the file in the TypeScript project) are off.
 */
async function ruleIds(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'fatal');
}

describe('the output gate is enforced by lint', () => {
  for (const [code, rule] of [
    ['console.log(text);', 'no-console'],
    ['console.error(text);', 'no-console'],
    ['process.stdout.write(text);', 'no-restricted-syntax'],
    ['process.stderr.write(text);', 'no-restricted-syntax'],
    ['const out = process.stdout; out.write(text);', 'no-restricted-syntax'],
  ] as const) {
    it(`refuses \`${code}\` in src/ and lab/`, async () => {
      const source = `declare const text: string;\n${code}\nexport {};\n`;
      assert.ok((await ruleIds(source, 'src/probe.ts')).includes(rule));
      assert.ok((await ruleIds(source, 'lab/probe.ts')).includes(rule));
    });
  }

  it('allows it in src/terminal/output.ts (the gate) and in tests', async () => {
    const source = 'declare const text: string;\nprocess.stdout.write(text);\nexport {};\n';
    assert.deepEqual(await ruleIds(source, 'src/terminal/output.ts'), []);
    assert.deepEqual(await ruleIds(`${source}console.log(text);\n`, 'test/probe.test.ts'), []);
  });
});

describe('the layers are enforced by lint (redesign, item 2)', () => {
  const probe = (from: string) => `import { x } from '${from}';\nexport const y = x;\n`;
  const FOLDERS = Object.keys(LAYERS);

  for (const [folder, forbidden] of Object.entries(LAYERS)) {
    it(`src/${folder}/ may not import ${forbidden.join(', ')}; may import the rest`, async () => {
      for (const other of FOLDERS.filter((f) => f !== folder)) {
        const rules = await ruleIds(probe(`../${other}/probe.ts`), `src/${folder}/probe.ts`);
        const insecureFlags = folder === 'cli' && other === 'insecure';
        assert.equal(
          rules.includes('no-restricted-imports'),
          forbidden.includes(other) || insecureFlags,
          `src/${folder}/ importing src/${other}/: ${rules.join(', ')}`,
        );
      }
      // Deeper files are held to the same rule (src/insecure/mallory/, say).
      const forbiddenOne = forbidden[0] ?? 'lab';
      assert.ok(
        (await ruleIds(probe(`../../${forbiddenOne}/probe.ts`), `src/${folder}/deeper/probe.ts`)).includes(
          'no-restricted-imports',
        ),
      );
      // No folder of src/ imports the inspector statically.
      assert.ok(
        (await ruleIds(probe('../../lab/probe.ts'), `src/${folder}/probe.ts`)).includes('no-restricted-imports'),
        `src/${folder}/ importing lab/`,
      );
    });
  }

  it('the secure path never imports src/insecure/ nor src/by-hand/; cli/ only the flag parser of insecure/', async () => {
    for (const folder of ['crypto', 'protocol', 'terminal', 'server', 'client', 'tap']) {
      assert.ok(
        (await ruleIds(probe('../insecure/toy-groups.ts'), `src/${folder}/probe.ts`)).includes('no-restricted-imports'),
        folder,
      );
      assert.ok(
        (await ruleIds(probe('../by-hand/aes.ts'), `src/${folder}/probe.ts`)).includes('no-restricted-imports'),
        `${folder} and by-hand/`,
      );
    }
    assert.ok((await ruleIds(probe('../insecure/hooks.ts'), 'src/cli/probe.ts')).includes('no-restricted-imports'));
    assert.ok(!(await ruleIds(probe('../insecure/flags.ts'), 'src/cli/probe.ts')).includes('no-restricted-imports'));
    assert.ok(
      !(await ruleIds(probe('../by-hand/aes.ts'), 'src/cli/probe.ts')).includes('no-restricted-imports'),
      'dhlab aes',
    );
    assert.ok(
      (await ruleIds(probe('../insecure/toy-groups.ts'), 'src/cli/probe.ts')).includes('no-restricted-imports'),
    );
    assert.ok(
      (await ruleIds(probe('../protocol/session.ts'), 'src/by-hand/probe.ts')).includes('no-restricted-imports'),
      'by-hand/ stands on crypto/ alone',
    );
    assert.ok(
      !(await ruleIds(probe('../insecure/toy-groups.ts'), 'src/scenario/probe.ts')).includes('no-restricted-imports'),
      'scenario',
    );
    assert.ok(
      !(await ruleIds(probe('../src/insecure/toy-groups.ts'), 'lab/probe.ts')).includes('no-restricted-imports'),
      'lab',
    );
    assert.ok(
      (await ruleIds(probe('../runtime/world.ts'), 'src/scenario/actions/probe.ts')).includes('no-restricted-imports'),
      'an action sees an ActionContext, not the world',
    );
    assert.ok(
      !(await ruleIds(probe('../runtime/run-record.ts'), 'src/scenario/actions/probe.ts')).includes(
        'no-restricted-imports',
      ),
      "an action may name the run record's types",
    );
    assert.ok(
      (await ruleIds(probe('../actions/run-action.ts'), 'src/scenario/parse/probe.ts')).includes(
        'no-restricted-imports',
      ),
      'parsing runs nothing',
    );
    assert.ok(
      (await ruleIds(probe('../../handout/export.ts'), 'src/scenario/actions/probe.ts')).includes(
        'no-restricted-imports',
      ),
      "the scenario layer's own rules still hold in its folders",
    );
    assert.ok(
      (await ruleIds(probe('./insecure/toy-groups.ts'), 'src/errors.ts')).includes('no-restricted-imports'),
      'the base files import no layer',
    );
  });

  it('only lab/view/ imports blessed, and cli/ reaches the lab only by a dynamic import', async () => {
    const blessed = "import blessed from 'blessed';\nexport const b = blessed;\n";
    for (const folder of ['server', 'client', 'terminal', 'scenario', 'cli'])
      assert.ok((await ruleIds(blessed, `src/${folder}/probe.ts`)).includes('no-restricted-imports'), folder);
    assert.ok(!(await ruleIds(blessed, 'lab/view/probe.ts')).includes('no-restricted-imports'));
    for (const folder of ['model', 'keys', 'apps'])
      assert.ok(
        (await ruleIds(blessed, `lab/${folder}/probe.ts`)).includes('no-restricted-imports'),
        `lab/${folder}/ draws nothing itself`,
      );
    const dynamic = "export async function f() {\n  return (await import('../../lab/run.ts')).runLab;\n}\n";
    assert.deepEqual(await ruleIds(dynamic, 'src/cli/probe.ts'), []);
    assert.ok(
      (await ruleIds(probe('../../lab/run.ts'), 'src/cli/probe.ts')).includes('no-restricted-imports'),
      'a static import of lab/',
    );
    assert.ok(
      (await ruleIds(probe('../src/cli/args.ts'), 'lab/probe.ts')).includes('no-restricted-imports'),
      'lab/ never imports src/cli/',
    );
  });
});

describe('files and functions stay small (max-lines 400, max-lines-per-function 80, complexity 20)', () => {
  it('a 401-line file and an 81-line function in src/ or lab/ are refused', async () => {
    const long = `${Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n')}\n`;
    const body = Array.from({ length: 80 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const fn = `export function f(): number {\n${body}\n  return 0;\n}\n`;
    for (const file of ['src/probe.ts', 'lab/view/probe.ts']) {
      assert.ok((await ruleIds(long, file)).includes('max-lines'), file);
      assert.ok((await ruleIds(fn, file)).includes('max-lines-per-function'), file);
    }
    assert.deepEqual(await ruleIds('export const v = 1;\n', 'src/probe.ts'), []);
  });

  it('a function of 21 decisions is refused; a switch over 30 kinds counts as one', async () => {
    const ifs = Array.from({ length: 20 }, (_, i) => `  if (x === ${i}) return ${i};`).join('\n');
    assert.ok(
      (await ruleIds(`export function f(x: number): number {\n${ifs}\n  return -1;\n}\n`, 'src/probe.ts')).includes(
        'complexity',
      ),
    );
    const cases = Array.from({ length: 30 }, (_, i) => `    case ${i}:\n      return ${i};`).join('\n');
    assert.deepEqual(
      await ruleIds(
        `export function f(x: number): number {\n  switch (x) {\n${cases}\n  }\n  return -1;\n}\n`,
        'lab/probe.ts',
      ),
      [],
    );
  });
});

describe('the type-checked rules run on the code that ships', () => {
  it('a floating promise and an unbound method in src/ are refused', async () => {
    // Linted as the text of a real file of the project, which the project service knows.
    const eslint = new ESLint({ cwd: ROOT });
    const code =
      'async function later(): Promise<void> {}\nlater();\nclass A {\n  m(): number {\n    return 1;\n  }\n}\nexport const take = new A().m;\n';
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'src/errors.ts') });
    const rules = (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
    assert.ok(rules.includes('@typescript-eslint/no-floating-promises'), rules.join(', '));
    assert.ok(rules.includes('@typescript-eslint/unbound-method'), rules.join(', '));
  });
});
