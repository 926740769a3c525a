/** The peer: the secretlint CLI with its recommended preset, on the same corpus. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from './corpus.ts';
import { ROOT, throughput, type Throughput } from './cli.ts';

export async function secretlintRun(corpus: string): Promise<Throughput> {
  const dir = join(DATA_DIR, 'secretlint');
  mkdirSync(dir, { recursive: true });
  const rc = join(dir, '.secretlintrc.json');
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const bin = join(ROOT, 'node_modules/.bin/secretlint');
  return throughput('secretlint CLI, preset-recommend', bin, ['--secretlintrc', rc, corpus], corpus);
}
