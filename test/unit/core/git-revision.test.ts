/**
 * Reading a file at a git revision, against a real repository made here (`git init`, two commits):
 * the commits that touched the file, its content at each, a file that did not exist yet, a revision
 * that is no commit or looks like an option; and `tunesmith diff --rev` comparing the two.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  RevisionProblem,
  commitsOf,
  repoFileOf,
  writeFileAtRevision,
} from '../../../src/core/io/git-revision.ts';
import { cli, tempDir } from '../cli/helpers.ts';

const pair = (prompt: string, completion: string) => JSON.stringify({ prompt, completion });
const V1 = [pair('p1', 'c1'), pair('p2', 'c2'), pair('p3', 'c3')].join('\n') + '\n';
// p1 kept, p2 answered anew (changed), p3 removed, p4 and p5 added.
const V2 = [pair('p4', 'c4'), pair('p1', 'c1'), pair('p2', 'c2 again'), pair('p5', 'c5')].join('\n') + '\n';

/** A repository whose data/set.jsonl has two commits (V1, then V2), with other.txt committed first. */
function repo(): string {
  const root = tempDir('git');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', ...args], {
      cwd: root,
      stdio: 'pipe',
    });
  git('init', '-q');
  writeFileSync(join(root, 'other.txt'), 'x\n');
  git('add', '.');
  git('commit', '-q', '-m', 'before the data');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'set.jsonl'), V1);
  git('add', '.');
  git('commit', '-q', '-m', 'first version');
  writeFileSync(join(root, 'data', 'set.jsonl'), V2);
  git('commit', '-q', '-am', 'second version');
  return root;
}

test('commits that touched the file, newest first, and its content at each', async () => {
  const root = repo();
  const file = await repoFileOf(join(root, 'data', 'set.jsonl'));
  assert.equal(file.path, 'data/set.jsonl');
  const commits = await commitsOf(file);
  assert.deepEqual(
    commits.map((commit) => commit.subject),
    ['second version', 'first version'],
    'the commit before the file existed is not listed',
  );
  assert.match(commits[0]!.hash, /^[0-9a-f]{40}$/);
  assert.ok(commits[0]!.hash.startsWith(commits[0]!.short));
  const out = join(tempDir('git-out'), 'old.jsonl');
  const hash = await writeFileAtRevision(file, 'HEAD~1', out);
  assert.equal(hash, commits[1]!.hash);
  assert.equal(readFileSync(out, 'utf8'), V1);
  await writeFileAtRevision(file, commits[0]!.short, out);
  assert.equal(readFileSync(out, 'utf8'), V2);
});

test('a file that did not exist at the revision, an unknown revision, an option: said so', async () => {
  const root = repo();
  const file = await repoFileOf(join(root, 'data', 'set.jsonl'));
  const out = join(tempDir('git-out'), 'old.jsonl');
  await assert.rejects(
    writeFileAtRevision(file, 'HEAD~2', out),
    (error: unknown) =>
      error instanceof RevisionProblem && /data\/set\.jsonl did not exist at HEAD~2/.test(error.message),
  );
  await assert.rejects(
    writeFileAtRevision(file, 'no-such-branch', out),
    (error: unknown) => error instanceof RevisionProblem && /names no commit/.test(error.message),
  );
  await assert.rejects(
    writeFileAtRevision(file, `--output=${join(root, 'written')}`, out),
    (error: unknown) => error instanceof RevisionProblem && /is not a revision/.test(error.message),
  );
  await assert.rejects(
    repoFileOf(join(tempDir('not-git'), 'x.jsonl')),
    (error: unknown) => error instanceof RevisionProblem && /not in a git repository/.test(error.message),
  );
});

test('tunesmith diff --rev REV FILE: the file at REV against the file as it is', async () => {
  const root = repo();
  const run = await cli(['diff', '--rev', 'HEAD~1', 'data/set.jsonl', '--json'], root);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.old, 'data/set.jsonl@HEAD~1');
  assert.equal(report.examples.unchanged, 1);
  assert.equal(report.examples.added.count, 2);
  assert.equal(report.examples.removed.count, 1);
  assert.equal(report.examples.changed.count, 1);
  assert.match(report.summary[0], /^2 examples added, 1 removed, 1 changed/);
  const missing = await cli(['diff', '--rev', 'HEAD~2', 'data/set.jsonl'], root);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /diff --rev: data\/set\.jsonl did not exist at HEAD~2/);
});
