/** The engine must never throw on any input line: every consistency checker on arbitrary lines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { consistencyCheckers } from '../../../src/core/rules/consistency/index.ts';
import { canonicalJson, hashJson, hashNormalised } from '../../../src/core/rules/consistency/hashing.ts';
import {
  BINS,
  forEachSimilarPair,
  similarity,
  sketchTexts,
} from '../../../src/core/rules/consistency/sketch.ts';

const config = resolveConfig({ rules: { consistency: 'info' } }).config;
const rethrow = (_codes: readonly string[], _line: number | undefined, error: unknown): never => {
  throw error;
};

const turn = fc.record(
  {
    role: fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool'), fc.jsonValue()),
    content: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const line = fc.oneof(
  fc.string(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.array(turn, { maxLength: 4 }).map((messages) => JSON.stringify({ messages })),
  fc.record({ prompt: fc.jsonValue(), completion: fc.jsonValue() }).map((v) => JSON.stringify(v)),
  fc.record({ text: fc.string() }).map((v) => JSON.stringify(v)),
);

test('consistency checkers never throw, whatever the lines', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      lintText(lines.join('\n'), config, consistencyCheckers, rethrow);
    }),
    { numRuns: 300 },
  );
});

test('consistency checkers survive extreme lines: deep nesting, long answers, astral text', () => {
  const deep = '['.repeat(50_000) + ']'.repeat(50_000);
  const lines = [
    deep,
    deep,
    JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'é'.repeat(200_000) },
      ],
    }),
    JSON.stringify({
      messages: [
        { role: 'user', content: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 日本語のテキスト '.repeat(50) },
        { role: 'assistant', content: ' x ' },
      ],
    }),
  ];
  const findings = lintText(lines.join('\n'), config, consistencyCheckers, rethrow);
  assert.ok(findings.some((f) => f.code === 'consistency/duplicate' && f.range.start.line === 1));
});

test('sketches and canonical hashes ignore case as toLowerCase does, and key order, on any text (property)', () => {
  const a = new Uint8Array(BINS);
  const b = new Uint8Array(BINS);
  // Mixed ASCII and characters whose lower case is special: final sigma, dotted I, astral letters.
  const text = fc
    .array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.constantFrom('Σ', 'İ', '𐐀', 'ẞ', 'ǅ', ' ', 'AB'),
      ),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), (texts) => {
      const words = sketchTexts(texts, a);
      const lowered = texts.map((t) => t.toLowerCase());
      assert.equal(sketchTexts(lowered, b), words);
      assert.deepEqual(a, b);
    }),
  );
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 12 }),
      (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        assert.equal(hashJson(reversed), hashJson(value));
      },
    ),
  );
});

test('similarity counts equal bins four at a time as the byte loop does, aligned or not (property)', () => {
  // Bytes drawn from few values, so that many bins agree, as in near-duplicates.
  const bytes = fc
    .uint8Array({ minLength: 3 * BINS + 3, maxLength: 3 * BINS + 3 })
    .map((array) => array.map((b) => b % 3));
  fc.assert(
    fc.property(bytes, bytes, fc.nat(2), fc.nat(2), fc.nat(3), (a, b, aSketch, bSketch, shift) => {
      const aOffset = aSketch * BINS + (aSketch === 2 ? shift : 0);
      const bOffset = bSketch * BINS;
      let equal = 0;
      for (let i = 0; i < BINS; i++) if (a[aOffset + i] === b[bOffset + i]) equal++;
      const expected = Math.max(0, (equal / BINS - 1 / 256) / (1 - 1 / 256));
      assert.equal(similarity(a, aOffset, b, bOffset), expected);
      // The same array on both sides, and a view that starts off a 4-byte boundary.
      const shifted = new Uint8Array(a.buffer, 1, 2 * BINS);
      let self = 0;
      for (let i = 0; i < BINS; i++) if (shifted[i] === a[aOffset + i]) self++;
      assert.equal(similarity(shifted, 0, a, aOffset), Math.max(0, (self / BINS - 1 / 256) / (1 - 1 / 256)));
    }),
  );
});

test('the pair search visits exactly the candidate pairs at or above the threshold, with their similarity (property)', () => {
  // Up to 9 sketches sharing their first band: every pair is a candidate (a group's first and the 8
  // before each member), so the search must visit every pair whose similarity reaches the threshold.
  const sketch = fc.uint8Array({ minLength: BINS, maxLength: BINS }).map((array) => array.map((b) => b % 2));
  fc.assert(
    fc.property(
      fc.array(sketch, { minLength: 2, maxLength: 9 }),
      fc.double({ min: 0.3, max: 1, noNaN: true }),
      (list, threshold) => {
        const n = list.length;
        const sketches = new Uint8Array(n * BINS);
        list.forEach((bins, i) => {
          sketches.set(bins, i * BINS);
          sketches.fill(7, i * BINS, i * BINS + 8);
        });
        const view = {
          sketches,
          words: new Uint16Array(n).fill(20),
          exact: Uint32Array.from(list, (_, i) => i),
        };
        const visited = new Map<string, number>();
        forEachSimilarPair(
          view,
          Uint32Array.from(list, (_, i) => i),
          threshold,
          (a, b, s) => visited.set(`${a},${b}`, s),
        );
        for (let b = 0; b < n; b++)
          for (let a = 0; a < b; a++) {
            const s = similarity(sketches, a * BINS, sketches, b * BINS);
            assert.equal(
              visited.get(`${a},${b}`),
              s >= threshold ? s : undefined,
              `${a},${b} at ${threshold}`,
            );
          }
      },
    ),
  );
});

test('normalised hashes ignore whitespace runs, edges and ASCII case, whichever loop hashes them (property)', () => {
  const word = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
    .filter((w) => !/[\s\u00a0]/.test(w));
  const space = fc.constantFrom(' ', '  ', '\t', '\n ', '\u00a0', '\u3000', '\u2003 ');
  fc.assert(
    fc.property(
      fc.array(fc.tuple(word, space), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (parts, edges) => {
        const single = parts.map(([w]) => w).join(' ');
        const spaced = (edges ? ' \t' : '') + parts.map(([w, s]) => w + s).join('') + (edges ? '\n' : '');
        const upper = single.replace(/[a-z]/g, (c) => c.toUpperCase());
        assert.equal(hashNormalised([spaced]), hashNormalised([single]));
        assert.equal(hashNormalised([upper]), hashNormalised([single]));
        assert.notEqual(hashNormalised([single, 'x']), hashNormalised([`${single}x`]));
      },
    ),
  );
});

test('the canonical form keeps every key, "__proto__" included, in sorted order', () => {
  const parsed: unknown = JSON.parse('{"b":1,"__proto__":{"x":2},"a":[{"d":1,"c":2}]}');
  assert.equal(canonicalJson(parsed), '{"__proto__":{"x":2},"a":[{"c":2,"d":1}],"b":1}');
  assert.notEqual(canonicalJson(JSON.parse('{"__proto__":1}')), canonicalJson(JSON.parse('{"__proto__":2}')));
});
