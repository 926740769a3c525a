import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { splitCommand } from '../../src/cli/commands/split.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { LinePass } from '../../src/core/engine/linter.ts';
import { lineSimilarityFacts } from '../../src/core/rules/consistency/near-duplicate.ts';
import { canonicalJson } from '../../src/core/rules/consistency/hashing.ts';
import { MIN_WORDS, similarity } from '../../src/core/rules/consistency/sketch.ts';
import { replaceWord, words } from './rules/consistency-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'tunesmith-split-'));
after(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    stderrIsTTY: false,
  };
  const code = await splitCommand(args, io);
  return { code, stdout, stderr };
}

/** Lines of a buffer with their terminators, as bytes decoded 1:1 (latin1), so comparisons are byte-exact. */
function rawLines(buffer: Buffer): string[] {
  return buffer
    .toString('latin1')
    .split(/(?<=\n)/)
    .filter((line) => line !== '');
}

function fresh(): string {
  const dir = join(root, String(runs++));
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(join(root, '.keep'), '');
  return dir;
}

const config = resolveConfig({}).config;
const pass = new LinePass(config, []);

/** Whether any validation line is an exact or near duplicate of a training line (checked pairwise). */
function leaks(train: string[], validation: string[]): string | undefined {
  const facts = (lines: string[]) =>
    lines
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const context = pass.context({ line: 0, text: line.replace(/\r?\n$/, ''), eol: '\n' });
        return {
          line,
          facts: lineSimilarityFacts(context),
          canonical: context.json?.ok ? canonicalJson(context.json.value) : line,
        };
      });
  const t = facts(train);
  for (const v of facts(validation)) {
    for (const x of t) {
      if (v.canonical === x.canonical) return `exact copy: ${v.line}`;
      if (v.facts.words < MIN_WORDS || x.facts.words < MIN_WORDS) continue;
      const s = similarity(v.facts.sketch, 0, x.facts.sketch, 0);
      if (s >= config.consistency.nearDuplicateThreshold) return `near copy (${s}): ${v.line}`;
    }
  }
  return undefined;
}

const example = (user: string, answer: string, label: string, reorder = false): string =>
  reorder
    ? `{"label": ${JSON.stringify(label)}, "messages": [{"content": ${JSON.stringify(user)}, "role": "user"}, {"role": "assistant", "content": ${JSON.stringify(answer)}}]}`
    : JSON.stringify({
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: answer },
        ],
        label,
      });

const cluster = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  copies: fc.array(fc.constantFrom('exact', 'reordered', 'near', 'near2'), { maxLength: 4 }),
  label: fc.constantFrom('A', 'B'),
  eol: fc.constantFrom('\n', '\r\n'),
});

test('split: never leaks, and the two files hold every input line exactly once, byte for byte', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(cluster, { minLength: 2, maxLength: 40 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 1000 }),
      fc.boolean(),
      async (clusters, tenths, seed, finalNewline) => {
        const lines: string[] = [];
        for (const c of clusters) {
          const text = words(30, c.seed);
          lines.push(example(text, 'answer', c.label) + c.eol);
          for (const copy of c.copies) {
            if (copy === 'exact') lines.push(example(text, 'answer', c.label) + c.eol);
            if (copy === 'reordered') lines.push(example(text, 'answer', c.label, true) + c.eol);
            if (copy === 'near')
              lines.push(example(replaceWord(text, 29, 'zebra'), 'answer', c.label) + c.eol);
            if (copy === 'near2') lines.push(example(text, 'answer, indeed', c.label) + c.eol);
          }
        }
        lines.splice(1, 0, '\n'); // a blank line
        // Shuffle deterministically so copies are spread through the file.
        const random = (i: number): number => (Math.imul(i + seed, 2654435761) >>> 0) % (i + 1);
        for (let i = lines.length - 1; i > 0; i--) {
          const j = random(i);
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        }
        if (!finalNewline) lines[lines.length - 1] = lines[lines.length - 1]!.replace(/\r?\n$/, '');
        const dir = fresh();
        const file = join(dir, 'data.jsonl');
        rmSync(dir, { recursive: true, force: true });
        await import('node:fs/promises').then((fs) => fs.mkdir(dir));
        writeFileSync(file, lines.join(''));

        const result = await run([file, '--val', String(tenths / 10), '--seed', String(seed)], dir);
        assert.equal(result.code, 0, result.stderr);
        const train = rawLines(readFileSync(join(dir, 'data.train.jsonl')));
        const validation = rawLines(readFileSync(join(dir, 'data.val.jsonl')));
        assert.deepEqual([...train, ...validation].sort(), rawLines(Buffer.from(lines.join(''))).sort());
        assert.equal(leaks(train, validation), undefined);
      },
    ),
    { numRuns: 25 },
  );
});

test('split: stratification keeps class proportions', async () => {
  const dir = fresh();
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  const lines = Array.from({ length: 400 }, (_, i) =>
    example(words(20, i + 5000), `answer ${i}`, i % 10 < 7 ? 'pos' : 'neg'),
  );
  writeFileSync(join(dir, 'data.jsonl'), lines.join('\n') + '\n');
  const result = await run(['data.jsonl', '--val', '0.2', '--stratify-by', 'label'], dir);
  assert.equal(result.code, 0, result.stderr);
  const validation = rawLines(readFileSync(join(dir, 'data.val.jsonl')));
  const positive = validation.filter((line) => line.includes('"label":"pos"')).length;
  assert.equal(validation.length, 80);
  assert.ok(
    Math.abs(positive / validation.length - 0.7) <= 0.02,
    `${positive} of ${validation.length} positive`,
  );
  assert.match(result.stdout, /label="pos": 224 train, 56 validation/);

  // The answer of a label task works as a stratum too.
  const labelled = Array.from({ length: 100 }, (_, i) =>
    example(words(20, i + 9000), i % 4 === 0 ? 'yes' : 'no', ''),
  );
  writeFileSync(join(dir, 'labels.jsonl'), labelled.join('\n') + '\n');
  const byAnswer = await run(['labels.jsonl', '--val', '0.2', '--stratify-by', 'answer'], dir);
  assert.equal(byAnswer.code, 0, byAnswer.stderr);
  assert.match(byAnswer.stdout, /answer="yes": 20 train, 5 validation/);
});

test('split: the same seed gives the same files; existing outputs need --force', async () => {
  const dir = fresh();
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  writeFileSync(
    join(dir, 'd.jsonl'),
    Array.from({ length: 50 }, (_, i) => example(words(12, i), 'a', 'x')).join('\n') + '\n',
  );
  assert.equal((await run(['d.jsonl', '--val', '0.3', '--seed', '7'], dir)).code, 0);
  const first = readFileSync(join(dir, 'd.val.jsonl'));
  const refused = await run(['d.jsonl', '--val', '0.3', '--seed', '7'], dir);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /already exist.*--force/);
  assert.equal((await run(['d.jsonl', '--val', '0.3', '--seed', '7', '--force'], dir)).code, 0);
  assert.deepEqual(readFileSync(join(dir, 'd.val.jsonl')), first);
  assert.equal((await run(['d.jsonl', '--val', '0.3', '--seed', '8', '--force'], dir)).code, 0);
  assert.notDeepEqual(readFileSync(join(dir, 'd.val.jsonl')), first);
  assert.deepEqual(
    (await import('node:fs')).readdirSync(dir).filter((name) => name.endsWith('.tmp')),
    [],
    'no temporary file is left behind',
  );
});

test('split: usage errors exit 2 and write nothing', async () => {
  const dir = fresh();
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  writeFileSync(join(dir, 'd.jsonl'), example('a b c', 'd', 'x') + '\n');
  for (const args of [
    ['d.jsonl'],
    ['d.jsonl', '--val', '1.5'],
    ['d.jsonl', '--val', 'x'],
    ['missing.jsonl', '--val', '0.1'],
    ['d.jsonl', '--val', '0.1', '--bogus'],
    ['d.jsonl', '--val', '0.1', '--out-dir', 'nowhere'],
  ]) {
    const result = await run(args, dir);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, /^tunesmith split: /);
  }
  assert.equal(existsSync(join(dir, 'd.train.jsonl')), false);
  const help = await run(['--help'], dir);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--stratify-by/);
});
