/**
 * Throughput and memory of the consistency checkers on a generated chat corpus (~50 MB by default).
 *
 *   node --expose-gc --import tsx bench/consistency.ts [MB]
 *
 * Prints MB/s of line parsing alone, of parsing plus every consistency checker (extract, index add,
 * report), the checkers' own share, and index memory per example (heap + typed arrays, after GC).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { resolveConfig } from '../src/core/engine/config.ts';
import { DatasetIndexes, LinePass } from '../src/core/engine/linter.ts';
import { FileLines, readLineBatches, type RawLine } from '../src/core/engine/reader.ts';
import type { LineAccess } from '../src/core/engine/rule.ts';
import { seededRandom } from '../src/core/split/plan.ts';
import { consistencyCheckers } from '../src/core/rules/consistency/index.ts';

const megabytes = Number(process.argv[2] ?? 50);
const path = `bench/.data/chat-${megabytes}mb.jsonl`;
const VOCABULARY = Array.from({ length: 5000 }, (_, i) => `w${(i * 7919) % 100003}`);

function generate(): void {
  mkdirSync('bench/.data', { recursive: true });
  const random = seededRandom(12345);
  const next = (): number => Math.floor(random() * 4294967296);
  const text = (n: number): string =>
    Array.from({ length: n }, () => VOCABULARY[next() % VOCABULARY.length]).join(' ');
  const system = 'You are a careful assistant. Answer concisely and cite sources when you can.';
  const lines: string[] = [];
  let size = 0;
  while (size < megabytes * 1e6) {
    const r = next() % 100;
    const previous = lines[lines.length - 1 - (next() % Math.max(1, Math.min(lines.length, 50)))];
    let line: string;
    if (r < 2 && previous)
      line = previous; // exact duplicate
    else if (r < 4 && previous)
      line = previous.replace(/w\d+/, 'changed'); // near duplicate
    else if (r < 5 && previous)
      line = previous.replace(/"(w\d+[^"]*)"}]}$/, '"$1 "}]}'); // answer whitespace
    else {
      line = JSON.stringify({
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: text(20 + (next() % 80)) },
          { role: 'assistant', content: text(50 + (next() % 200)) },
        ],
      });
    }
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

async function readAll(): Promise<RawLine[]> {
  const lines: RawLine[] = [];
  for await (const batch of readLineBatches(path, { maxLineLength: 1_000_000 }))
    for (const line of batch) lines.push(line);
  return lines;
}

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

if (!existsSync(path)) generate();
const bytes = statSync(path).size;
const lines = await readAll();
const config = resolveConfig({ rules: { consistency: 'info' } }).config;
const mb = bytes / 1e6;

const parseOnly = new LinePass(config, []);
let start = performance.now();
for (const line of lines) parseOnly.run(line);
const parseSeconds = (performance.now() - start) / 1000;

const pass = new LinePass(config, consistencyCheckers);
const indexes = new DatasetIndexes(pass);
const before = heap();
start = performance.now();
for (const line of lines) {
  const result = pass.run(line);
  indexes.add(line.line, result.facts);
}
const addSeconds = (performance.now() - start) / 1000;
const after = heap();
const file = new FileLines(path);
const access: LineAccess = { lineOf: (id) => id, context: (id) => pass.context(file.read(lines[id]!)) };
start = performance.now();
const findings = indexes.report(access);
const reportSeconds = (performance.now() - start) / 1000;
file.close();

const counts: Record<string, number> = {};
for (const finding of findings) counts[finding.code] = (counts[finding.code] ?? 0) + 1;
const checkerSeconds = addSeconds - parseSeconds + reportSeconds;
console.log(`${lines.length} examples, ${mb.toFixed(1)} MB`);
console.log(
  `parse only:                 ${(mb / parseSeconds).toFixed(1)} MB/s (${parseSeconds.toFixed(2)} s)`,
);
console.log(`parse + consistency (add):  ${(mb / addSeconds).toFixed(1)} MB/s (${addSeconds.toFixed(2)} s)`);
console.log(`report:                     ${reportSeconds.toFixed(2)} s`);
console.log(`consistency checkers alone: ${(mb / checkerSeconds).toFixed(1)} MB/s`);
console.log(`index memory:               ${((after - before) / lines.length).toFixed(1)} bytes/example`);
console.log(`findings:`, counts);
