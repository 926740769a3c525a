/**
 * Dataset indexes keep sorted state between reports (`SortedPairs`) and patch it as lines change, as
 * the language server reports after every edit. Every report, not just the last, must equal a fresh
 * build over the lines of that moment, including when an edit flips which label, system prompt,
 * format or key set is the dominant one and back again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { DatasetIndexes, LinePass } from '../../../src/core/engine/linter.ts';
import { splitLines } from '../../../src/core/engine/lines.ts';
import type { LineAccess } from '../../../src/core/engine/rule.ts';
import { consistencyCheckers } from '../../../src/core/rules/consistency/index.ts';
import { SortedPairs, sortByHash } from '../../../src/core/rules/consistency/grouping.ts';
import { pairsChangedBy } from '../../../src/core/rules/consistency/sketch.ts';
import { formatCheckers } from '../../../src/core/rules/format/index.ts';
import { chat, replaceWord, words } from './consistency-fixtures.ts';

const config = resolveConfig({ rules: { consistency: 'info', format: 'info' } }).config;
const pass = new LinePass(config, [...formatCheckers, ...consistencyCheckers]);

const base = words(40, 3);
/** Near ties on purpose: a few edits move the majority of labels, prompts, formats and key sets. */
const line = fc.constantFrom(
  chat('Review one', 'Positive', 'You are a classifier.'),
  chat('Review two', 'positive', 'You are a classifier.'),
  chat('Review three', 'positive.', 'You are a clasifier.'),
  chat('Review four', 'Negative', 'You are a clasifier.'),
  chat('Review five', 'negative', 'You are a classifier'),
  chat(base, 'ok'),
  chat(replaceWord(base, 20, 'zebra'), 'ok'),
  chat(replaceWord(base, 5, 'zebra'), 'fine'),
  JSON.stringify({ instruction: 'Review one', input: '', output: 'Positive' }),
  JSON.stringify({ instruction: 'Review two', output: 'positive' }),
  JSON.stringify({ prompt: 'Review one', completion: 'Positive' }),
  JSON.stringify({
    messages: [
      { role: 'user', content: 'Review two' },
      { role: 'assistant', content: 'x' },
    ],
    id: 1,
  }),
  'not json',
);

function inputsOf(lines: string[]) {
  return splitLines(lines.join('\n') + '\n');
}

function access(lines: string[]): LineAccess {
  const inputs = inputsOf(lines);
  return { lineOf: (id) => id, context: (id) => pass.context(inputs[id]!) };
}

/** Facts depend on a line's text only; memoised, as the pool is small. */
const factsByText = new Map<string, unknown[]>();
function factsOf(lines: string[], id: number): unknown[] {
  let facts = factsByText.get(lines[id]!);
  if (!facts) factsByText.set(lines[id]!, (facts = pass.run(inputsOf(lines)[id]!).facts));
  return facts;
}

function freshReport(lines: string[]) {
  const fresh = new DatasetIndexes(pass);
  lines.forEach((_, id) => fresh.add(id, factsOf(lines, id)));
  return fresh.report(access(lines));
}

test('dataset indexes: a report after each edit equals a fresh build, as dominant values flip', () => {
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.nat(), line), { minLength: 1, maxLength: 25 }),
      (initial, edits) => {
        const current = [...initial];
        const indexes = new DatasetIndexes(pass);
        const facts = current.map((_, id) => factsOf(current, id));
        facts.forEach((f, id) => indexes.add(id, f));
        assert.deepEqual(indexes.report(access(current)), freshReport(current));
        for (const [at, replacement] of edits) {
          const id = at % current.length;
          indexes.remove(id, facts[id]!);
          current[id] = replacement;
          facts[id] = factsOf(current, id);
          indexes.add(id, facts[id]);
          assert.deepEqual(indexes.report(access(current)), freshReport(current));
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('SortedPairs: patched pairs equal a fresh sort, for small batches and ones large enough to re-sort', () => {
  const op = fc.tuple(fc.boolean(), fc.nat(600), fc.nat(12));
  fc.assert(
    fc.property(fc.array(fc.array(op, { maxLength: 400 }), { minLength: 3, maxLength: 7 }), (batches) => {
      const hashes = new Float64Array(601);
      const present = new Set<number>();
      const pairs = new SortedPairs((id) => {
        const hash = hashes[id]!;
        return hash === hash && hash !== 0 ? hash >>> 0 : undefined;
      });
      const ids = (): Uint32Array => Uint32Array.from([...present].sort((a, b) => a - b));
      for (const batch of batches) {
        for (const [add, id, value] of batch) {
          if (add && !present.has(id)) {
            // 0 is "no value", and a few values share their low 32 bits.
            hashes[id] = value === 12 ? NaN : value * 2 ** 33 + (value % 3);
            present.add(id);
            pairs.added(id);
          } else if (!add && present.has(id)) {
            pairs.removing(id);
            present.delete(id);
          }
        }
        const got = pairs.sorted(ids);
        const want = sortByHash(ids(), hashes);
        assert.deepEqual([...got.ids], [...want.ids]);
        assert.deepEqual([...got.keys], [...want.keys]);
      }
    }),
    { numRuns: 100 },
  );
});

test('SortedPairs: lines replaced and moved as the editor does stay sorted, and update hands out every change', () => {
  // Each edit removes `removed` ids at `start`, moves the ids below by the difference and adds
  // `added` new ones at `start`, as LintedDocument drives the indexes.
  const edit = fc.tuple(fc.nat(80), fc.nat(40), fc.nat(40), fc.nat(1000));
  fc.assert(
    fc.property(
      fc.array(fc.array(edit, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 6 }),
      (updates) => {
        let hashes = Float64Array.from({ length: 60 }, (_, id) => (id % 7) * 2 ** 33 + id + 1);
        const pairs = new SortedPairs((id) => {
          const hash = hashes[id]!;
          return hash === hash && hash !== 0 ? hash >>> 0 : undefined;
        });
        const ids = (): Uint32Array => Uint32Array.from(hashes.keys());
        pairs.update(ids);
        for (const edits of updates) {
          let touched = new Set<number>();
          for (const [at, removed, added, seed] of edits) {
            const start = Math.min(at, hashes.length);
            const count = Math.min(removed, hashes.length - start);
            for (let id = start; id < start + count; id++) pairs.removing(id);
            const next = new Float64Array(hashes.length - count + added);
            next.set(hashes.subarray(0, start));
            next.set(hashes.subarray(start + count), start + added);
            hashes = next;
            if (added !== count && start + count < hashes.length + count - added) {
              pairs.move(start + count, added - count);
              // Ids logged before this edit move with the lines below it.
              touched = new Set([...touched].map((id) => (id >= start + count ? id + added - count : id)));
            }
            for (let id = start; id < start + Math.max(count, added); id++) touched.add(id);
            for (let i = 0; i < added; i++) {
              hashes[start + i] = ((seed + i) % 5) * 2 ** 33 + seed + i + 1;
              pairs.added(start + i);
            }
          }
          const { sorted, changes } = pairs.update(ids);
          const want = sortByHash(ids(), hashes);
          assert.deepEqual([...sorted.ids], [...want.ids]);
          assert.deepEqual([...sorted.keys], [...want.keys]);
          if (!changes) continue; // more changes than pairs: sorted again, nothing to hand out
          const logged = new Set<number>();
          for (let i = 2; i < changes.length; i += 3) logged.add(changes[i]!);
          for (const id of logged) assert.ok(touched.has(id), `id ${id} was not changed`);
          for (const id of touched) if (id < hashes.length) assert.ok(logged.has(id), `change of ${id} lost`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('near-duplicate update: every example whose compared pairs an add or remove changes is re-reported', () => {
  // What forEachSimilarPairIn compares an example with: its band group's first member and the 8
  // members before it (WINDOW), ids ascending.
  const compared = (group: number[], id: number): string => {
    const at = group.indexOf(id);
    return at <= 0 ? '' : [group[0], ...group.slice(Math.max(1, at - 8), at)].join(',');
  };
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat(60), { maxLength: 40 }),
      fc.array(fc.nat(60), { minLength: 1, maxLength: 6 }),
      (initial, toggled) => {
        const before = [...initial].sort((a, b) => a - b);
        const members = new Set(before);
        for (const id of toggled) if (!members.delete(id)) members.add(id);
        const after = [...members].sort((a, b) => a - b);
        const changed = new Set<number>(toggled);
        for (const id of toggled) pairsChangedBy(Uint32Array.from(after), id, changed);
        for (const id of after)
          if (compared(before, id) !== compared(after, id))
            assert.ok(changed.has(id), `${id} in ${[...changed]}`);
      },
    ),
    { numRuns: 2000 },
  );
});
