/**
 * Memory of the consistency indexes per example, on generated chat lines that are never kept:
 *
 *   node --expose-gc --import tsx bench/consistency-memory.ts [examples]
 */
import { seededRandom } from '../src/core/split/plan.ts';
import { resolveConfig } from '../src/core/engine/config.ts';
import { DatasetIndexes, LinePass } from '../src/core/engine/linter.ts';
import { consistencyCheckers } from '../src/core/rules/consistency/index.ts';

const count = Number(process.argv[2] ?? 300_000);
const random = seededRandom(7);
const word = (): string => `w${Math.floor(random() * 5000)}`;
const text = (n: number): string => Array.from({ length: n }, word).join(' ');
const pass = new LinePass(resolveConfig({ rules: { consistency: 'info' } }).config, consistencyCheckers);

function used(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

// Warm up (compiles the checkers) so code size does not count as index memory.
const warm = new DatasetIndexes(pass);
for (let i = 0; i < 2000; i++) warm.add(i, pass.run({ line: i, text: line(), eol: '\n' }).facts);

function line(): string {
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: text(10 + Math.floor(random() * 30)) },
      { role: 'assistant', content: text(10 + Math.floor(random() * 60)) },
    ],
  });
}

const before = used();
const rssBefore = process.memoryUsage().rss;
const indexes = new DatasetIndexes(pass);
for (let i = 0; i < count; i++) indexes.add(i, pass.run({ line: i, text: line(), eol: '\n' }).facts);
const after = used();
const rssAfter = process.memoryUsage().rss;
console.log(
  `${count} examples: ${((after - before) / count).toFixed(1)} bytes/example (heap + typed arrays),`,
);
console.log(`RSS ${(rssBefore / 1e6).toFixed(0)} MB → ${(rssAfter / 1e6).toFixed(0)} MB`);
console.log(indexes === undefined ? '' : 'indexes kept alive until here');
