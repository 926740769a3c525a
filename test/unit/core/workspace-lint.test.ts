/**
 * The workspace checker kind and its one driver (core/lint/workspace.ts): `split/leakage` through the
 * CLI's session when the checker whose facts it reads is off, and a test-only cross-file rule, declared
 * and nothing else, fed by the same feed as `split/leakage`, seeing its findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { LinePass } from '../../../src/core/engine/linter.ts';
import { splitLines } from '../../../src/core/engine/lines.ts';
import { workspaceChecker, type LineAccess, type SplitRole } from '../../../src/core/engine/rule.ts';
import { LintSession } from '../../../src/core/lint/session.ts';
import { WorkspaceLint } from '../../../src/core/lint/workspace.ts';
import { ALL_CHECKERS } from '../../../src/core/rules/index.ts';
import { nearDuplicateChecker, type SimilarityFacts } from '../../../src/core/rules/consistency/index.ts';
import { chat, words } from '../rules/consistency-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'tunesmith-workspace-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const shared = chat(words(40, 7), 'the same answer');
const trainLines = [chat(words(40, 1), 'a'), shared, chat('Hi', 'Hello')];
const validLines = [chat(words(40, 2), 'b'), shared, chat('Hi', 'Hello')];

test('split/leakage is reported with consistency off: its source checker still extracts facts', async () => {
  writeFileSync(join(dir, 'train.jsonl'), trainLines.join('\n') + '\n');
  writeFileSync(join(dir, 'valid.jsonl'), validLines.join('\n') + '\n');
  for (const rules of [{}, { consistency: 'off' }]) {
    const config = resolveConfig({ rules }).config;
    const session = new LintSession(config, 0, { onRuleError: assert.fail, onWorkerLost: assert.fail });
    try {
      for (const name of ['train.jsonl', 'valid.jsonl']) {
        const linted = await session.lint(join(dir, name), name);
        linted.reader.close();
        if (rules.consistency === 'off')
          assert.ok(
            linted.findings.every((f) => !f.code.startsWith('consistency/')),
            'consistency is off',
          );
      }
      const found = await session.workspaceFindings();
      assert.deepEqual(
        [...found].flatMap(([file, list]) => list.map((f) => `${file}:${f.range.start.line} ${f.code}`)),
        ['valid.jsonl:1 split/leakage', 'valid.jsonl:2 split/leakage'],
        JSON.stringify(rules),
      );
    } finally {
      await session.close();
    }
  }
});

/**
 * Test-only: validation lines with an exact training copy (by the near-duplicate checker's `exact`
 * hash) that no earlier cross-file finding links, i.e. what `split/leakage` would have said when off.
 */
const unlinkedCopy = workspaceChecker({
  kind: 'workspace',
  rules: [
    {
      code: 'split/test-unlinked-copy',
      family: 'split',
      description: 'test only',
      defaultSeverity: 'info',
      fixable: false,
    },
  ],
  facts: { kind: 'lines', checker: nearDuplicateChecker },
  createIndex() {
    const added: { file: string; role: SplitRole; id: number; exact: number }[] = [];
    return {
      add: (file, role, id, facts: SimilarityFacts) =>
        void added.push({ file, role, id, exact: facts.exact }),
      remove: () => assert.fail('not in this test'),
      move: () => assert.fail('not in this test'),
      removeFile: () => assert.fail('not in this test'),
      report(access, earlier) {
        const linked = new Set(earlier.map(({ file, finding }) => `${file}:${finding.range.start.line}`));
        return added
          .filter((v) => v.role === 'validation' && !linked.has(`${v.file}:${v.id}`))
          .filter((v) => added.some((t) => t.role === 'train' && t.exact === v.exact))
          .map((v) => ({
            file: v.file,
            finding: {
              code: 'split/test-unlinked-copy',
              severity: 'info' as const,
              message: 'copied',
              range: access(v.file)!.context(v.id).lineRange(),
            },
          }));
      },
    };
  },
});

test('one driver feeds every workspace checker on line facts, in order, each seeing the findings before it', async () => {
  const checkers = [...ALL_CHECKERS, unlinkedCopy];
  const run = async (rules: Record<string, string>): Promise<string[]> => {
    const config = resolveConfig({ rules }).config;
    const pass = new LinePass(config, checkers);
    const driver = new WorkspaceLint(config, checkers, {
      kind: 'lines',
      datasetCheckers: pass.datasetCheckers,
    });
    const accesses = new Map<string, LineAccess>();
    for (const [file, role, lines] of [
      ['train.jsonl', 'train', trainLines],
      ['valid.jsonl', 'validation', validLines],
    ] as const) {
      const inputs = splitLines(lines.join('\n') + '\n');
      inputs.forEach((input, id) => driver.addLine(file, role, id, pass.run(input).facts));
      accesses.set(file, { lineOf: (id) => id, context: (id) => pass.context(inputs[id]!) });
    }
    const found = await driver.report((file) => accesses.get(file));
    return [...found].flatMap(([file, list]) => list.map((f) => `${file}:${f.range.start.line} ${f.code}`));
  };
  assert.deepEqual(await run({}), ['valid.jsonl:1 split/leakage', 'valid.jsonl:2 split/leakage']);
  // With split/leakage off its pairs are no longer linked, and consistency being off starves neither.
  assert.deepEqual(await run({ 'split/leakage': 'off', consistency: 'off' }), [
    'valid.jsonl:1 split/test-unlinked-copy',
    'valid.jsonl:2 split/test-unlinked-copy',
  ]);
  assert.deepEqual(await run({ split: 'off' }), []);
});
