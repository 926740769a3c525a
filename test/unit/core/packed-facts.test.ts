import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { packFacts, unpackFacts } from '../../../src/core/lint/packed-facts.ts';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { LinePass } from '../../../src/core/engine/linter.ts';
import { splitLines } from '../../../src/core/engine/lines.ts';
import { ALL_CHECKERS } from '../../../src/core/rules/index.ts';
import { corpusText } from '../../../bench/corpus.ts';

function roundTrip(lines: number[], rows: unknown[][]): { line: number; facts: unknown[] }[] {
  const out: { line: number; facts: unknown[] }[] = [];
  // Through structured clone, as a worker's reply travels.
  unpackFacts(structuredClone(packFacts(lines, rows)), (line, facts) => out.push({ line, facts }));
  return out;
}

test('packed facts: every row comes back as it went in, whatever the shapes (property)', () => {
  // Structured clone gives every object Object.prototype; facts are plain objects anyway.
  const plain = { noNullPrototype: true };
  const sketch = fc.uint8Array({ minLength: 4, maxLength: 4 });
  const fact = fc.oneof(
    fc.constant(undefined),
    fc.double(),
    fc.constantFrom('chat\tmessages', '\n', '\r\n', ''),
    fc.record({ exact: fc.double(), prompt: fc.double() }, plain),
    fc.record({ sketch, words: fc.nat(), exact: fc.double() }, plain),
    // Shapes that must fall back to a plain column: varying keys, nested values, other types.
    fc.record({ exact: fc.double() }, { ...plain, requiredKeys: [] }),
    fc.record({ a: fc.string() }, plain),
    fc.uint8Array({ maxLength: 3 }),
    fc.boolean(),
  );
  const batch = fc.nat(3).chain((width) =>
    fc.array(fc.tuple(fc.nat(1000), fc.array(fact, { minLength: width, maxLength: width })), {
      maxLength: 20,
    }),
  );
  fc.assert(
    fc.property(batch, (entries) => {
      const lines = entries.map(([line]) => line);
      const rows = entries.map(([, row]) => row);
      assert.deepEqual(
        roundTrip(lines, rows),
        entries.map(([line, facts]) => ({ line, facts })),
      );
    }),
    { numRuns: 300 },
  );
});

test("packed facts: the real checkers' facts travel as typed columns, not object graphs", () => {
  const config = resolveConfig({ rules: { tokens: 'off' } }).config;
  const pass = new LinePass(config, ALL_CHECKERS);
  const inputs = splitLines(corpusText(3, 200_000));
  const rows = inputs.map((input) => pass.run(input).facts);
  const packed = packFacts(
    inputs.map((input) => input.line),
    rows,
  );
  assert.deepEqual(
    packed.columns.filter((column) => column.kind === 'plain'),
    [],
  );
  const back: unknown[][] = [];
  unpackFacts(packed, (_line, facts) => back.push(facts));
  assert.deepEqual(back, rows);
});
