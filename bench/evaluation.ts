/**
 * The trainer's scoring of an evaluation report: every metric of docs/evaluation.md for base and
 * tuned on 10,000 synthetic examples (src/trainer/tunesmith_trainer/bench_evaluation.py), the
 * bootstrap apart. Runs in the trainer's venv (scripts/setup-python.sh), as scripts/test-python.sh
 * finds it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

interface ScoringRun {
  label: string;
  examples: number;
  referenceChars: number;
  workers: number;
  /** Fastest and median wall time of the scoring, in seconds, over `runs` runs. */
  bestSeconds: number;
  medianSeconds: number;
  bootstrapSeconds: number;
  runs: number;
}

interface BenchOutput {
  examples: number;
  reference_chars: number;
  workers: number;
  scoring_seconds: number;
  bootstrap_seconds: number;
}

function trainerPython(): string {
  const venv =
    process.env['TUNESMITH_VENV'] ??
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tunesmith', 'venv');
  return join(venv, 'bin', 'python');
}

function once(python: string, args: string[]): BenchOutput {
  const out = execFileSync(python, ['-m', 'tunesmith_trainer.bench_evaluation', ...args], {
    cwd: join(ROOT, 'src/trainer'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as BenchOutput;
}

export function scoringRuns(repeat: number): ScoringRun[] | string {
  const python = trainerPython();
  if (!existsSync(python)) return `no trainer venv at ${python}: run bash scripts/setup-python.sh`;
  const configs: [string, string[]][] = [
    ['10,000 examples of ~200 tokens, every core', []],
    ['10,000 examples of ~200 tokens, one process', ['--workers', '1']],
    ['10,000 examples of ~50 tokens, every core', ['--words', '40']],
  ];
  const runs: ScoringRun[] = [];
  for (const [label, args] of configs) {
    const results: BenchOutput[] = [];
    for (let i = 0; i < repeat; i++) results.push(once(python, args));
    const seconds = results.map((r) => r.scoring_seconds).sort((a, b) => a - b);
    const first = results[0]!;
    runs.push({
      label,
      examples: first.examples,
      referenceChars: first.reference_chars,
      workers: first.workers,
      bestSeconds: seconds[0]!,
      medianSeconds: seconds[Math.ceil(seconds.length / 2) - 1]!,
      bootstrapSeconds: results.reduce((best, r) => Math.min(best, r.bootstrap_seconds), Infinity),
      runs: results.length,
    });
  }
  return runs;
}

export function scoringTable(runs: ScoringRun[]): string {
  const lines = [
    '| scoring (all metrics, no bootstrap) | chars per reference | processes | best | median (runs) | bootstrap, 1,000 resamples |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs)
    lines.push(
      `| ${run.label} | ${run.referenceChars} | ${run.workers} | ${run.bestSeconds.toFixed(1)} s | ${run.medianSeconds.toFixed(1)} s (${run.runs}) | ${run.bootstrapSeconds.toFixed(2)} s |`,
    );
  return lines.join('\n');
}
