/**
 * Throughput of the pii, secrets and tokens checkers on a generated chat corpus (~20 MB), one
 * thread: `node --import tsx bench/rules-content.ts [out.jsonl]`. Each checker is timed through the
 * engine's LinePass and the time of a pass with no checker (parsing alone) is subtracted.
 */
import { writeFileSync } from 'node:fs';
import { resolveConfig } from '../src/core/engine/config.ts';
import { toExample } from '../src/core/engine/formats.ts';
import { LinePass } from '../src/core/engine/linter.ts';
import { splitLines } from '../src/core/engine/lines.ts';
import type { Checker } from '../src/core/engine/rule.ts';
import { piiCheckers } from '../src/core/rules/pii/index.ts';
import { secretsCheckers } from '../src/core/rules/secrets/index.ts';
import { createTokenCounter } from '../src/core/rules/tokens/counter.ts';
import { tokensCheckers } from '../src/core/rules/tokens/index.ts';

const WORDS =
  'the model should answer in short clear sentences and cite version 1.2.3 of the api when asked about 2024-05-01 releases numbers like 42 or 3.14 appear often in code and prose alike'.split(
    ' ',
  );
let seed = 1;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const sentence = (n: number): string =>
  Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
const PLANTS = [
  'mail jane.roe@corp.io',
  'card 4242 4242 4242 4242',
  `token ghp_${'aB3xY9kQ'.repeat(4)}aB3x`,
  'call (415) 555-2671',
];

function corpus(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const plant = i % 100 === 0 ? ` ${PLANTS[(i / 100) % PLANTS.length]}` : '';
    const line = JSON.stringify({
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: sentence(40) + plant + '?' },
        { role: 'assistant', content: sentence(120) + '.' },
      ],
    });
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

const text = corpus(20e6);
if (process.argv[2]) writeFileSync(process.argv[2], text);
const mb = Buffer.byteLength(text) / 1e6;
const inputs = splitLines(text);
const config = resolveConfig({}).config;

/** The fastest of three passes, to keep JIT warm-up and GC pauses out of the figure. */
function time(checkers: Checker[]): { ms: number; findings: number } {
  const pass = new LinePass(config, checkers);
  let best = Infinity;
  let findings = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    findings = 0;
    for (const input of inputs) findings += pass.run(input).findings.length;
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, findings };
}

const base = time([]);
console.log(
  `corpus: ${mb.toFixed(1)} MB, ${inputs.length} lines; parse only: ${base.ms.toFixed(0)} ms (${(mb / (base.ms / 1000)).toFixed(0)} MB/s)`,
);
for (const [name, checkers] of [
  ['pii', piiCheckers],
  ['secrets', secretsCheckers],
  ['tokens', tokensCheckers],
] as const) {
  const run = time(checkers);
  const own = run.ms - base.ms;
  console.log(
    `${name}: ${run.findings} findings; with parsing ${(mb / (run.ms / 1000)).toFixed(0)} MB/s; checker alone ${own.toFixed(0)} ms = ${(mb / (own / 1000)).toFixed(0)} MB/s`,
  );
}

for (const tokenizer of ['o200k_base', 'cl100k_base'] as const) {
  const counter = createTokenCounter(resolveConfig({ tokens: { tokenizer } }).config);
  const examples = inputs.map((input) => toExample(JSON.parse(input.text))!);
  const start = performance.now();
  let tokens = 0;
  for (const example of examples) tokens += counter.countExample(example).total;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `countExample ${tokenizer}: ${(tokens / seconds / 1e6).toFixed(2)} M tokens/s, ${(mb / seconds).toFixed(1)} MB/s (${tokens} tokens)`,
  );
}
