/** The tunesmith CLI on the corpus: throughput without and with token counts, and peak memory. */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from './corpus.ts';
import { measure, type Measured } from './measure.ts';

export interface Throughput extends Measured {
  label: string;
  megabytes: number;
  /** From the fastest of the runs (the machine is shared; slower runs measure the neighbours). */
  mbPerSecond: number;
  medianMs: number;
  runs: number;
}

export const ROOT = new URL('..', import.meta.url).pathname;

let repeats = 1;
export function setRepeats(count: number): void {
  repeats = Math.max(1, count);
}

export async function throughput(
  label: string,
  command: string,
  args: string[],
  file: string,
  cwd = ROOT,
  times = repeats,
): Promise<Throughput> {
  const results: Measured[] = [];
  for (let i = 0; i < times; i++) {
    const result = await measure(command, args, cwd);
    // 0: clean, 1: findings. Anything else means the run itself failed and its timing means nothing.
    if (result.code !== 0 && result.code !== 1) {
      throw new Error(`${label} exited with ${result.code}:\n${result.stderr.slice(0, 2000)}`);
    }
    results.push(result);
  }
  const sorted = [...results].sort((a, b) => a.wallMs - b.wallMs);
  const best = sorted[0]!;
  const megabytes = statSync(file).size / 1e6;
  return {
    ...best,
    peakRssMiB: results.reduce((peak, r) => Math.max(peak, r.peakRssMiB), 0),
    label,
    megabytes,
    mbPerSecond: megabytes / (best.wallMs / 1000),
    medianMs: sorted[Math.ceil(sorted.length / 2) - 1]!.wallMs,
    runs: times,
  };
}

export function tunesmith(file: string, extra: string[] = []): [string, string[]] {
  return [process.execPath, ['bin/tunesmith.cjs', 'lint', file, ...extra]];
}

export async function cliRuns(corpus: string): Promise<Throughput[]> {
  const [node, withoutTokens] = tunesmith(corpus, ['--rule', 'tokens=off']);
  const [, withTokens] = tunesmith(corpus);
  // tokens/too-long skips examples whose UTF-8 bytes already fit in tokens.max; a tiny max makes it
  // tokenize every example, which measures the tokenizer itself.
  const config = join(DATA_DIR, 'tokens-max-64.json');
  writeFileSync(config, JSON.stringify({ tokens: { max: 64 } }));
  const [, everyExample] = tunesmith(corpus, ['--config', config]);
  return [
    await throughput('tunesmith lint, all rules but tokens', node, withoutTokens, corpus),
    await throughput('tunesmith lint, all rules (o200k, default tokens.max)', node, withTokens, corpus),
    await throughput(
      'tunesmith lint, all rules (o200k, every example tokenized)',
      node,
      everyExample,
      corpus,
    ),
  ];
}
