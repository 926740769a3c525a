/** Runs in multi-root workspaces: which folder a new run goes to, and where a run id is found. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findRunDir, foldersHolding, runFolder } from '../../../src/extension/runs/folders.ts';
import { RUNS_DIR } from '../../../src/extension/runs/run.ts';

const A = join('/ws', 'a');
const B = join('/ws', 'b');
const NESTED = join('/ws', 'a', 'sub');

test('a new run goes to the folder that holds its training file, not the first folder', () => {
  assert.deepEqual(runFolder(join(B, 'task', 'train.jsonl'), [A, B]), { folder: B });
  assert.deepEqual(runFolder(join(A, 'train.jsonl'), [A, B]), { folder: A });
});

test('a folder whose name only starts like another does not hold its files', () => {
  assert.deepEqual(foldersHolding(join('/ws', 'ab', 'train.jsonl'), [A, B]), []);
});

test('nested folders both hold the file: ask, innermost first; outside every folder: ask among all', () => {
  assert.deepEqual(runFolder(join(NESTED, 'train.jsonl'), [A, NESTED]), { ask: [NESTED, A] });
  assert.deepEqual(runFolder(join('/elsewhere', 'train.jsonl'), [A, B]), { ask: [A, B] });
});

test('one folder: the run goes there, wherever the file is', () => {
  assert.deepEqual(runFolder(join('/elsewhere', 'train.jsonl'), [A]), { folder: A });
});

test('a run id is found in whichever folder has it; unknown and unsafe ids are not', async () => {
  const base = await mkdtemp(join(tmpdir(), 'tunesmith-folders-'));
  try {
    const [first, second] = [join(base, 'first'), join(base, 'second')];
    const dir = join(second, RUNS_DIR, 'run-2');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), '{}');
    await mkdir(join(first, RUNS_DIR, 'empty'), { recursive: true });
    assert.equal(await findRunDir('run-2', [first, second]), dir);
    assert.equal(await findRunDir('empty', [first, second]), undefined, 'a folder without config.json');
    assert.equal(await findRunDir('missing', [first, second]), undefined);
    assert.equal(await findRunDir('../second/.tunesmith/runs/run-2', [first, second]), undefined);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
