/**
 * A `files.include` / `files.exclude` glob selects the same datasets in `tunesmith lint DIRECTORY`
 * (core `expandPaths`) and in the language server (its real `Workspace`), for a table of patterns.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { expandPaths } from '../../src/core/io/files.ts';
import { Workspace } from '../../src/server/lsp/workspace.ts';

const FILES = [
  'train.jsonl',
  'a.tmp',
  'data/eval.jsonl',
  'data/scratch.tmp',
  'data/deep/x.jsonl',
  'data/.hidden.jsonl',
  'out/gen.jsonl',
  'Upper/Case.JSONL',
  'notes.txt',
];

const CASES: { include?: string[]; exclude?: string[]; expected: string[] }[] = [
  {
    include: ['**/*.jsonl', '*.tmp'],
    exclude: ['*.tmp'],
    expected: ['data/.hidden.jsonl', 'data/deep/x.jsonl', 'data/eval.jsonl', 'out/gen.jsonl', 'train.jsonl'],
  },
  { include: ['*.tmp'], expected: ['a.tmp', 'data/scratch.tmp'] },
  {
    exclude: ['out/**'],
    expected: ['data/.hidden.jsonl', 'data/deep/x.jsonl', 'data/eval.jsonl', 'train.jsonl'],
  },
  {
    exclude: ['**/deep'],
    expected: ['data/.hidden.jsonl', 'data/eval.jsonl', 'out/gen.jsonl', 'train.jsonl'],
  },
  { exclude: ['.*'], expected: ['data/deep/x.jsonl', 'data/eval.jsonl', 'out/gen.jsonl', 'train.jsonl'] },
  { include: ['data/*.jsonl'], expected: ['data/.hidden.jsonl', 'data/eval.jsonl'] },
  { include: ['*.JSONL'], expected: ['Upper/Case.JSONL'] },
];

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const quietConnection = { console: { warn: () => undefined } } as unknown as Connection;

for (const { include, exclude, expected } of CASES) {
  const files = { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) };
  test(`CLI and server agree on ${JSON.stringify(files)}`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'tunesmith-globs-'));
    dirs.push(root);
    for (const file of FILES) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '{"text":"x"}\n');
    }
    writeFileSync(join(root, 'tunesmith.json'), JSON.stringify({ files }));
    const { config, problems } = resolveConfig({ files });
    assert.deepEqual(problems, []);

    const cli = expandPaths([root], root, config)
      .files.map((path) => relative(root, path).split('\\').join('/'))
      .sort();

    const workspace = new Workspace(quietConnection);
    workspace.initialize({
      processId: null,
      rootUri: null,
      capabilities: {},
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'w' }],
    });
    const server = (await workspace.datasetFiles())
      .map((uri) => relative(root, fileURLToPath(uri)).split('\\').join('/'))
      .sort();

    assert.deepEqual(cli, expected, 'CLI');
    assert.deepEqual(server, expected, 'server');
    for (const file of FILES) {
      const contained = await workspace.contains(pathToFileURL(join(root, file)).href);
      assert.equal(contained, expected.includes(file), `server contains(${file})`);
    }
  });
}
