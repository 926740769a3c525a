/**
 * `lint --format sarif` on files that trigger many rules, checked by Microsoft's SARIF validator
 * (`@microsoft/sarif-multitool`, its `validate` command with the SARIF and GitHub rule sets) and by the
 * SARIF 2.1.0 JSON schema with ajv: the validator misses some schema violations (an unknown `level`,
 * a number as a rule id), the schema misses the validator's rules. The validator exits 0 whatever it
 * finds, so its output SARIF log is parsed, not its exit code or its text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { sarifRuleName } from '../../../src/cli/output/sarif.ts';
import { ALL_RULES } from '../../../src/core/rules/index.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

const require = createRequire(import.meta.url);
/** The platform's validator binary (the package resolves it; there is one for Linux, macOS and Windows). */
const VALIDATOR = require('@microsoft/sarif-multitool') as string;

/**
 * Advisory notes the output keeps, and why. Anything else the validator reports (any error or
 * warning, or another note) fails the test.
 */
const ACCEPTED_NOTES: Record<string, string> = {
  // Messages are sentences written per finding (with masked values); a message-string table per rule is a feature of its own.
  SARIF2002: 'message text instead of id and arguments',
  // The linter does not know the repository or commit; the upload step (GitHub's upload-sarif) adds it.
  SARIF2003: 'no versionControlProvenance',
  // Checked with an HTTP GET: the test machine is offline.
  SARIF2006: 'URIs not reachable',
  // Our codes (`pii/email`) are the stable ids the docs, settings and baselines use; each has its own metadata.
  SARIF2009: 'hierarchical rule ids',
  // A snippet or context region would copy the PII and secrets the rules find into the report.
  SARIF2010: 'no code snippets',
  SARIF2011: 'no context regions',
  // Only for a file outside the working directory, which has no base a relative reference could name.
  SARIF2016: 'absolute file: URI without a uriBaseId',
};

interface SarifLog {
  runs: {
    invocations?: { executionSuccessful: boolean; toolExecutionNotifications?: unknown[] }[];
    results?: { ruleId: string; level?: string; message: { text?: string; arguments?: string[] } }[];
    tool: { driver: { rules: { id: string; name?: string }[] } };
  }[];
}

test('lint --format sarif passes the SARIF validator and the SARIF schema', async () => {
  assert.ok(existsSync(VALIDATOR), `the SARIF validator at ${VALIDATOR}`);
  const dir = tempDir('sarif');
  const project = join(dir, 'project');
  // A folder with a space and a file with a non-ASCII name: their URIs must be percent-encoded.
  mkdirSync(join(project, 'data sets'), { recursive: true });
  for (const name of ['chat', 'syntax', 'format', 'pii', 'secrets', 'consistency', 'tokens'])
    cpSync(join(ROOT, 'demo', `${name}.jsonl`), join(project, 'data sets', `${name}.jsonl`));
  cpSync(join(ROOT, 'demo', 'split', 'train.jsonl'), join(project, 'data sets', 'train.jsonl'));
  cpSync(join(ROOT, 'demo', 'split', 'valid.jsonl'), join(project, 'data sets', 'valid.jsonl'));
  cpSync(join(ROOT, 'demo', 'pii.jsonl'), join(project, 'données #1.jsonl'));
  // A file outside the working directory is named by an absolute path: a file: URI.
  const outside = join(dir, 'outside.jsonl');
  cpSync(join(ROOT, 'demo', 'syntax.jsonl'), outside);

  const run = await cli(['lint', 'data sets', 'données #1.jsonl', outside, '--format', 'sarif'], project);
  assert.equal(run.code, 1, run.stderr); // errors found, and reported
  const sarifPath = join(dir, 'lint.sarif');
  writeFileSync(sarifPath, run.stdout);
  const ours = JSON.parse(run.stdout) as SarifLog;
  const rules = ours.runs[0]!.tool.driver.rules;
  assert.ok(rules.length >= 15, `rules triggered: ${rules.map((rule) => rule.id).join(' ')}`);
  const uris = run.stdout.match(/"uri": "[^"]*"/g) ?? [];
  assert.ok(uris.some((uri) => uri.includes('data%20sets/pii.jsonl')));
  assert.ok(uris.some((uri) => uri.includes('donn%C3%A9es%20%231.jsonl')));
  assert.ok(uris.some((uri) => uri.startsWith('"uri": "file:///')));

  const reportPath = join(dir, 'validation.sarif');
  const validator = spawnSync(
    VALIDATOR,
    [
      'validate',
      sarifPath,
      '--output',
      reportPath,
      '--log',
      'ForceOverwrite',
      '--level',
      'Error;Warning;Note',
      '--rule-kind',
      'Sarif;Gh',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(validator.status, 0, `validator: ${validator.error?.message ?? ''}${validator.stderr}`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as SarifLog;
  const [validation] = report.runs;
  assert.equal(validation?.invocations?.[0]?.executionSuccessful, true, 'the validator ran to the end');
  assert.deepEqual(validation.invocations[0].toolExecutionNotifications ?? [], []);
  const results = validation.results ?? [];
  const problems = results.filter(
    (result) => (result.level ?? 'warning') !== 'note' || !(result.ruleId in ACCEPTED_NOTES),
  );
  assert.deepEqual(
    problems.map(
      (result) =>
        `${result.ruleId} ${result.level ?? 'warning'}: ${(result.message.arguments ?? []).join(' ')}`,
    ),
    [],
  );

  // The schema the validator ships (draft 2020-12), with ajv and its formats.
  const schema = JSON.parse(readFileSync(join(dirname(VALIDATOR), 'sarif-2.1.0.json'), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  addFormats(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(ours), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
});

test('every rule has a distinct PascalCase SARIF name, not its id', () => {
  const names = ALL_RULES.map((rule) => sarifRuleName(rule.code));
  for (const [i, name] of names.entries()) {
    assert.match(name, /^[A-Z][A-Za-z0-9]*$/, ALL_RULES[i]!.code);
    assert.notEqual(name, ALL_RULES[i]!.code);
  }
  assert.equal(new Set(names).size, names.length);
  assert.equal(sarifRuleName('structure/invalid-tool-arguments'), 'InvalidToolArguments');
  assert.equal(sarifRuleName('secrets/1password'), 'Secrets1Password');
});
