/**
 * `npm run bench:semantic`: `tunesmith lint` with the semantic rules on a generated chat file, cold
 * (empty embedding cache), warm (every text cached) and after 1% of the examples changed, against the
 * lexical lint alone (`--rule semantic=off --rule split/semantic-leak=off`). Builds the CLI first;
 * needs the model (scripts/setup-embedding-model.sh). Then the pair search (bench/pair-search.ts).
 *
 *   npm run bench:semantic -- --count 2000
 *   npm run bench:semantic -- --only pairs --pairs 100000 --recall 10000 --real
 *   npm run bench:semantic -- --only near-miss --verbose
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nearMissBench } from './near-miss.ts';
import { pairSearchBench } from './pair-search.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    /** `lint`, `pairs` or `near-miss`: only that part. */
    only: { type: 'string' },
    pairs: { type: 'string', default: '100000' },
    recall: { type: 'string', default: '10000' },
    /** Also the recall on the model's embeddings of generated support prompts. */
    real: { type: 'boolean', default: false },
    /** With `--only near-miss`: the pairs each stage gets wrong at the default threshold. */
    verbose: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'tunesmith.cjs');

const SUBJECTS = ['password', 'invoice', 'refund', 'flight', 'router', 'playlist', 'order', 'account'];
const ASKS = ['How do I reset my', 'Where can I find my', 'Why was my', 'Can you help me change my'];

function lines(changed: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const subject = SUBJECTS[i % SUBJECTS.length]!;
    const ask = ASKS[Math.floor(i / SUBJECTS.length) % ASKS.length]!;
    const edit = i < changed ? ' (updated)' : '';
    const prompt = `${ask} ${subject} number ${i}${edit}? It is for customer ${(i * 7919) % 10007}.`;
    const answer = `Open the ${subject} page, find item ${i}, and follow the steps shown there.`;
    out.push(
      JSON.stringify({
        messages: [
          { role: 'user', content: prompt },
          { role: 'assistant', content: answer },
        ],
      }),
    );
  }
  return out.join('\n') + '\n';
}

function lint(cwd: string, extra: string[] = []): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, 'lint', 'data.jsonl', '--format', 'json', ...extra], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr);
  return (performance.now() - start) / 1000;
}

async function lintBench(): Promise<void> {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'tunesmith-bench-semantic-'));
  try {
    writeFileSync(join(dir, 'data.jsonl'), lines(0));
    const lexical = lint(dir, ['--rule', 'semantic=off', '--rule', 'split/semantic-leak=off']);
    const cold = lint(dir);
    const warm = lint(dir);
    writeFileSync(join(dir, 'data.jsonl'), lines(Math.round(count / 100)));
    const onePercent = lint(dir);
    const row = (name: string, seconds: number): string =>
      `| ${name} | ${seconds.toFixed(2)} s | ${Math.round(count / seconds)} examples/s |`;
    console.log(`${count} examples; load: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
    console.log('| run | wall | throughput |\n| --- | ---: | ---: |');
    console.log(row('lexical only', lexical));
    console.log(row('semantic, cold cache', cold));
    console.log(row('semantic, warm cache', warm));
    console.log(row('semantic, 1% of examples changed', onePercent));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.only === undefined || values.only === 'lint') await lintBench();
if (values.only === undefined || values.only === 'near-miss')
  await nearMissBench({ verbose: values.verbose });
if (values.only === undefined || values.only === 'pairs')
  await pairSearchBench({ large: Number(values.pairs), recallOn: Number(values.recall), real: values.real });
