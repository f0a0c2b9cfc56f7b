// The redesign, item 6: no import cycle anywhere in the product, the benchmarks or the shared test
// helpers (a cycle hides which layer depends on which). Dynamic imports are not edges: that is how
// src/cli/ reaches the lab without loading it for `dhlab server`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cycles, importGraph } from '../support/import-graph.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('import cycles', () => {
  it('src/, lab/, bench/ and test/support/ have none', () => {
    const graph = importGraph(ROOT, ['src', 'lab', 'bench', 'test/support']);
    assert.ok(graph.size > 80, `read ${graph.size} files`);
    assert.ok((graph.get('src/server/chat-server.ts') ?? []).includes('src/server/room.ts'), 'the graph has edges');
    assert.deepEqual(cycles(graph), []);
  });

  it('finds a cycle when there is one (two files, three files, a file importing itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
      ['f', ['f']],
      ['g', ['a']],
    ]);
    assert.deepEqual(cycles(graph).sort(), [['a', 'b'], ['c', 'd', 'e'], ['f']]);
  });

  it('bench/ and test/ share helpers in test/support/, and bench/ imports no test file', () => {
    const graph = importGraph(ROOT, ['bench']);
    const fromBench = [...graph.values()].flat().filter((t) => t.startsWith('test/'));
    assert.ok(
      fromBench.every((t) => t.startsWith('test/support/')),
      fromBench.join(', '),
    );
  });
});
