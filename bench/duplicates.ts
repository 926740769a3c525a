/**
 * One example copied 1,000,000 times: the worst case for the dataset report (999,999 duplicate
 * findings, every one with a fix). lint, stats and fix must finish, in memory that does not grow with
 * a spread's stack (issue 11: they overflowed past ~120,000 findings).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { ROOT, throughput, type Throughput } from './cli.ts';
import { DATA_DIR } from './corpus.ts';

const EXAMPLE = JSON.stringify({
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'How do I reset my password?' },
    { role: 'assistant', content: 'Open Settings, then Account, then choose "Reset password".' },
  ],
});

async function copies(lines: number): Promise<string> {
  const path = join(DATA_DIR, `duplicates-${lines}.jsonl`);
  if (existsSync(path)) return path;
  mkdirSync(DATA_DIR, { recursive: true });
  const out = createWriteStream(`${path}.partial`);
  const block = `${EXAMPLE}\n`.repeat(1000);
  for (let written = 0; written < lines; written += 1000) {
    if (!out.write(lines - written >= 1000 ? block : `${EXAMPLE}\n`.repeat(lines - written)))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(`${path}.partial`, path);
  return path;
}

export async function duplicateRuns(lines = 1_000_000): Promise<Throughput[]> {
  const file = await copies(lines);
  const label = (command: string): string =>
    `tunesmith ${command}, ${lines.toLocaleString('en')} copies of one example`;
  const run = (command: string, args: string[]): Promise<Throughput> =>
    throughput(
      label(command),
      process.execPath,
      ['bin/tunesmith.cjs', command, file, ...args],
      file,
      ROOT,
      1,
    );
  return [
    await run('lint', []),
    await run('stats', ['--json']),
    await run('fix', ['--out', join(DATA_DIR, 'duplicates-fixed.jsonl')]),
  ];
}
