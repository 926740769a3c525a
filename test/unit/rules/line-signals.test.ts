import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
// Every rule registers its literals, as in the CLI and the server: the automaton under test is theirs.
import '../../../src/core/rules/index.ts';
import { lineSignal, lineSignals } from '../../../src/core/rules/line-signals.ts';
import { maySecret, SECRET_PREFILTER } from '../../../src/core/rules/secrets/prefilter.ts';

/** ASCII letters folded, nothing else: what the automaton matches literals against. */
function foldAscii(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const GROUPS = [["don't", " n'", 'b-'], ['following', 'Passage:'], ['x'], ['ab', 'bab', 'abab']];
const BITS = GROUPS.map((literals) => lineSignal(literals));

test('a group bit is set exactly when one of its literals is in the line, ASCII case folded', () => {
  const piece = fc.oneof(
    fc.constantFrom(...GROUPS.flat(), 'B-', 'PASSAGE:', 'Ab', 'É', 'ß', 'İ', '\u212a'),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
      const line = pieces.join('');
      const folded = foldAscii(line);
      const signals = lineSignals(line);
      GROUPS.forEach((literals, g) => {
        const expected = literals.some((literal) => folded.includes(literal.toLowerCase()));
        assert.equal((signals & BITS[g]!) !== 0, expected, `${JSON.stringify(line)} group ${g}`);
      });
      assert.equal(maySecret(line), SECRET_PREFILTER.test(line), line);
    }),
    { numRuns: 3000 },
  );
});

test('the same line asked for twice gives the same signals (the one-entry cache)', () => {
  const line = 'Passage: b-';
  assert.equal(lineSignals(line), lineSignals(`${line}`));
  assert.equal(lineSignals('nothing here') & (BITS[0]! | BITS[1]!), 0);
});
