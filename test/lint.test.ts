import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Lints `code` as if it were the file at `file`, with the project's own config. */
async function ruleIds(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'fatal');
}

describe('the output gate is enforced by lint (second review, item 1)', () => {
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

  it('allows it in src/output.ts (the gate) and in tests', async () => {
    const source = 'declare const text: string;\nprocess.stdout.write(text);\nexport {};\n';
    assert.deepEqual(await ruleIds(source, 'src/output.ts'), []);
    assert.deepEqual(await ruleIds(`${source}console.log(text);\n`, 'test/probe.test.ts'), []);
  });
});

describe('the secure path never imports src/insecure/ (second review, item 7)', () => {
  const source = "import { TOY_GROUPS } from './insecure/toy-groups.ts';\nexport const x = TOY_GROUPS;\n";
  for (const file of ['src/server.ts', 'src/client.ts', 'src/tap.ts', 'src/protocol/probe.ts', 'src/crypto/probe.ts']) {
    it(`refuses it in ${file}`, async () => {
      assert.ok((await ruleIds(source.replace('./insecure', file.split('/').length > 2 ? '../insecure' : './insecure'), file)).includes('no-restricted-imports'));
    });
  }
  for (const file of ['src/cli.ts', 'src/client-cli.ts', 'src/scenario/probe.ts', 'lab/probe.ts']) {
    it(`allows it in ${file} (flag parsing, scenarios, the lab)`, async () => {
      assert.ok(!(await ruleIds(source, file)).includes('no-restricted-imports'));
    });
  }
});
