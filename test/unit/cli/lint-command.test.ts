import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BROKEN, CLEAN, EMAIL, EMAIL_END, EMAIL_START, UNKNOWN_ROLE, chat } from './fixtures.ts';
import { cli, tempDir } from './helpers.ts';

const dir = tempDir('lint');
const write = (name: string, content: string | Buffer): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

test('exit 0 for a clean file, 1 for an error finding, 2 for usage errors', async () => {
  write('clean.jsonl', `${CLEAN}\n`);
  write('broken.jsonl', `${CLEAN}\n${BROKEN}\n`);
  assert.equal((await cli(['lint', 'clean.jsonl'], dir)).code, 0);
  assert.equal((await cli(['lint', 'broken.jsonl'], dir)).code, 1);
  for (const args of [
    ['lint'],
    ['lint', 'clean.jsonl', '--bogus'],
    ['lint', 'clean.jsonl', '--format', 'xml'],
    ['lint', 'clean.jsonl', '--rule', 'pii=loud'],
    ['lint', 'clean.jsonl', '--rule', 'pii/nothing=off'],
    ['lint', 'clean.jsonl', '--max-warnings', 'many'],
    ['frobnicate'],
  ]) {
    const run = await cli(args, dir);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /^tunesmith: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a missing file is an I/O error (exit 2) and the other files are still linted', async () => {
  write('has-error.jsonl', `${BROKEN}\n`);
  const run = await cli(['lint', 'nope.jsonl', 'has-error.jsonl'], dir);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /nope\.jsonl: no such file or directory/);
  assert.match(run.stdout, /^has-error\.jsonl:1:2 error .* \[syntax\/invalid-json\]$/m);
});

test('text output is file:line:col severity message [code], 1-based', async () => {
  write('text.jsonl', `${CLEAN}\n${EMAIL}\n${UNKNOWN_ROLE}\n`);
  const run = await cli(['lint', 'text.jsonl'], dir);
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('text.jsonl'));
  assert.deepEqual(lines, [
    `text.jsonl:2:${EMAIL_START + 1} warning Email address b•••@g•••.com (a well-formed address) in the training data [pii/email]`,
    `text.jsonl:3:22 error Unknown role "usr"; allowed roles: system, developer, user, assistant, tool, function. [structure/unknown-role]`,
  ]);
  assert.match(run.stdout, /2 problems \(1 error, 1 warning\)/);
  assert.doesNotMatch(run.stdout, /bob\.smith/, 'PII is masked');
});

test('JSON output: findings with 1-based line, column, endLine, endColumn and the fix', async () => {
  write('json.jsonl', `${CLEAN}\n${EMAIL}\n`);
  const run = await cli(['lint', 'json.jsonl', '--format', 'json'], dir);
  assert.equal(run.code, 0);
  const findings = JSON.parse(run.stdout) as Record<string, unknown>[];
  assert.equal(findings.length, 1);
  assert.deepEqual(
    { ...findings[0], message: undefined, fix: undefined },
    {
      file: 'json.jsonl',
      line: 2,
      column: EMAIL_START + 1,
      endLine: 2,
      endColumn: EMAIL_END + 1,
      severity: 'warning',
      code: 'pii/email',
      message: undefined,
      fix: undefined,
    },
  );
  assert.equal((findings[0]!['fix'] as { edits: { newText: string }[] }).edits[0]!.newText, '<EMAIL>');
});

test('SARIF output: version 2.1.0, rules with helpUri, results with level, region and related locations', async () => {
  write('sarif.jsonl', `${CLEAN}\n${BROKEN}\n${CLEAN}\n`);
  const run = await cli(['lint', 'sarif.jsonl', '--format', 'sarif'], dir);
  const sarif = JSON.parse(run.stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs.length, 1);
  const [sarifRun] = sarif.runs;
  const ids = sarifRun.tool.driver.rules.map((rule: { id: string }) => rule.id);
  assert.deepEqual(ids, ['syntax/invalid-json', 'consistency/duplicate']);
  for (const rule of sarifRun.tool.driver.rules)
    assert.match(rule.helpUri, /^https:\/\/.*docs\/rules\/.+\.md$/);
  const byRule = Object.fromEntries(sarifRun.results.map((r: { ruleId: string }) => [r.ruleId, r]));
  const syntax = byRule['syntax/invalid-json'];
  assert.equal(syntax.level, 'error');
  assert.equal(ids[syntax.ruleIndex], 'syntax/invalid-json');
  assert.deepEqual(syntax.locations[0].physicalLocation, {
    artifactLocation: { uri: 'sarif.jsonl' },
    region: { startLine: 2, startColumn: 2, endLine: 2, endColumn: 5 },
  });
  const duplicate = byRule['consistency/duplicate'];
  assert.equal(duplicate.level, 'warning');
  assert.equal(duplicate.locations[0].physicalLocation.region.startLine, 3);
  assert.equal(duplicate.relatedLocations[0].physicalLocation.region.startLine, 1);
});

test('--max-warnings turns too many warnings into exit 1; --rule changes severities', async () => {
  write('warn.jsonl', `${EMAIL}\n`);
  assert.equal((await cli(['lint', 'warn.jsonl'], dir)).code, 0);
  assert.equal((await cli(['lint', 'warn.jsonl', '--max-warnings', '1'], dir)).code, 0);
  assert.equal((await cli(['lint', 'warn.jsonl', '--max-warnings', '0'], dir)).code, 1);
  assert.equal((await cli(['lint', 'warn.jsonl', '--rule', 'pii/email=error'], dir)).code, 1);
  const off = await cli(['lint', 'warn.jsonl', '--rule', 'pii=off', '--format', 'json'], dir);
  assert.deepEqual(JSON.parse(off.stdout), []);
});

test('tunesmith.json in the cwd is used; its problems are printed as warnings', async () => {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'data', 'skip'), { recursive: true });
  writeFileSync(join(project, 'data', 'a.jsonl'), `${EMAIL}\n${BROKEN}\n`);
  writeFileSync(join(project, 'data', 'notes.txt'), `${BROKEN}\n`);
  writeFileSync(join(project, 'data', 'skip', 'b.jsonl'), `${BROKEN}\n`);
  writeFileSync(
    join(project, 'tunesmith.json'),
    JSON.stringify({ rules: { pii: 'off' }, files: { exclude: ['**/skip/**'] }, maxLineLength: 'huge' }),
  );
  const run = await cli(['lint', 'data', '--format', 'json'], project);
  assert.match(run.stderr, /warning: tunesmith\.json: maxLineLength: expected a positive number/);
  const findings = JSON.parse(run.stdout) as { file: string; code: string }[];
  assert.deepEqual(
    findings.map((f) => `${f.file} ${f.code}`),
    ['data/a.jsonl syntax/invalid-json'],
  );
  writeFileSync(join(project, 'broken.json'), '{ rules: ');
  const bad = await cli(['lint', 'data', '--config', 'broken.json'], project);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /broken\.json: not valid JSON/);
});

test('validation examples copied from a training file are reported across files (split/leakage)', async () => {
  const split = join(dir, 'split');
  mkdirSync(split);
  const shared = chat(
    'How long should I roast a whole chicken in a fan oven?',
    'About ninety minutes at 180 C.',
  );
  writeFileSync(
    join(split, 'train.jsonl'),
    `${chat('What is the capital of France?', 'Paris.')}\n${shared}\n`,
  );
  writeFileSync(join(split, 'valid.jsonl'), `${chat('Name a prime number', 'Seven.')}\n${shared}\n`);
  const run = await cli(['lint', 'split', '--format', 'json'], dir);
  const leaks = (
    JSON.parse(run.stdout) as {
      file: string;
      line: number;
      code: string;
      related: { file: string; line: number }[];
    }[]
  ).filter((f) => f.code === 'split/leakage');
  assert.deepEqual(
    leaks.map((f) => [f.file, f.line, f.related[0]!.file, f.related[0]!.line]),
    [['split/valid.jsonl', 2, 'split/train.jsonl', 2]],
  );
});

test('directories expand through symbolic links (a Hugging Face snapshot), once each, loops included', async () => {
  const hub = join(dir, 'hub');
  const model = join(hub, 'datasets--me--chat');
  mkdirSync(join(model, 'blobs'), { recursive: true });
  mkdirSync(join(model, 'snapshots', 'rev1'), { recursive: true });
  writeFileSync(join(model, 'blobs', '9f2c'), `${BROKEN}\n`);
  symlinkSync('../../blobs/9f2c', join(model, 'snapshots', 'rev1', 'train.jsonl'));
  symlinkSync('..', join(model, 'snapshots', 'rev1', 'loop')); // back to snapshots/
  symlinkSync('missing', join(model, 'snapshots', 'rev1', 'gone.jsonl'));
  symlinkSync(join(model, 'snapshots'), join(dir, 'linked-snapshots'));
  const run = await cli(['lint', 'hub', 'linked-snapshots'], dir);
  const findings = run.stdout.split('\n').filter((line) => /:\d+:\d+ /.test(line));
  assert.equal(findings.length, 1, run.stdout);
  assert.match(
    findings[0]!,
    /^hub\/datasets--me--chat\/snapshots\/rev1\/train\.jsonl:1:2 error .*\[syntax\/invalid-json\]$/,
  );
  assert.equal(
    run.stderr,
    'tunesmith: hub/datasets--me--chat/snapshots/rev1/gone.jsonl: cannot follow the link (no such file or directory)\n',
  );
  assert.equal(run.code, 2);
});
