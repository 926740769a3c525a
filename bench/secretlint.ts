/** The peer: the secretlint CLI with its recommended preset, on the same corpus. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DATA_DIR } from './corpus.ts';
import { ROOT, throughput, type Throughput } from './cli.ts';

export async function secretlintRun(corpus: string): Promise<Throughput> {
  const dir = join(DATA_DIR, 'secretlint');
  mkdirSync(dir, { recursive: true });
  const rc = join(dir, '.secretlintrc.json');
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const bin = join(ROOT, 'node_modules/.bin/secretlint');
  // Run from the data folder with a relative name: secretlint's globbing skips paths under a dot
  // folder (bench/.data), and would silently lint nothing.
  return throughput(
    'secretlint CLI, preset-recommend',
    bin,
    ['--secretlintrc', rc, basename(corpus)],
    corpus,
    dirname(corpus),
  );
}
