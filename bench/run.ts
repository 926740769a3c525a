/**
 * `npm run bench`: a benchmark, not a test. Generates (or reuses) the seeded corpus, then reports the
 * CLI's throughput and peak memory against secretlint's. Each part lives in its own bench/*.ts file
 * so that others (the language server) can be added as parts here.
 *
 *   npm run bench                 # everything, including the 1 GB file
 *   npm run bench -- --skip-1gb   # without the 1 GB peak-memory run
 *   npm run bench -- --duplicates-only   # only lint, stats and fix of 1,000,000 copies of one example
 *   npm run bench -- --seed 7 --size 120000000 --repeat 5
 *   npm run bench -- --only evaluation   # the trainer's scoring of an evaluation report only
 *
 * Each 120 MB run is repeated (--repeat, default 3) and the fastest is reported with the median: the
 * machine is shared, and slower runs measure the neighbours as much as the linter.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { cliRuns, ROOT, setRepeats, throughput, tunesmith, type Throughput } from './cli.ts';
import { corpus } from './corpus.ts';
import { scoringRuns, scoringTable } from './evaluation.ts';
import { duplicateRuns } from './duplicates.ts';
import { secretlintRun } from './secretlint.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: '120000000' },
    'skip-1gb': { type: 'boolean', default: false },
    'skip-duplicates': { type: 'boolean', default: false },
    'duplicates-only': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});

function row(run: Throughput): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return `| ${run.label} | ${run.megabytes.toFixed(0)} MB | ${seconds(run.wallMs)} | ${seconds(run.medianMs)} (${run.runs}) | ${run.mbPerSecond.toFixed(1)} MB/s | ${run.peakRssMiB.toFixed(0)} MiB |`;
}

function evaluationPart(): void {
  console.log("\nThe trainer's scoring of an evaluation report (10,000 examples, base and tuned):");
  const runs = scoringRuns(Number(values.repeat));
  console.log(typeof runs === 'string' ? `skipped: ${runs}` : scoringTable(runs));
}

/** Wall time means little at the load these runs see (minutes on a shared machine): CPU time too. */
function duplicatesTable(runs: Throughput[]): void {
  const seconds = (ms: number | undefined): string =>
    ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
  console.log('\n| run | input | wall | CPU (user + sys) | peak RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const run of runs)
    console.log(
      `| ${run.label} | ${run.megabytes.toFixed(0)} MB | ${seconds(run.wallMs)} | ${seconds(run.cpuMs)} | ${run.peakRssMiB.toFixed(0)} MiB |`,
    );
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  if (values.only === 'evaluation') return evaluationPart();
  console.log('Building the CLI...');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  setRepeats(Number(values.repeat));
  const table = (runs: Throughput[]): void => {
    console.log('| run | input | best wall | median wall (runs) | throughput (best) | peak RSS (max) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const run of runs) console.log(row(run));
  };
  if (values['duplicates-only']) return duplicatesTable(await duplicateRuns());
  const file = await corpus(Number(values.seed), Number(values.size));
  console.log(`Corpus: ${file}\n`);

  const runs = await cliRuns(file);
  const peer = await secretlintRun(file);
  runs.push(peer);
  if (!values['skip-1gb']) {
    const big = await corpus(Number(values.seed), 1_000_000_000);
    const [node, args] = tunesmith(big, ['--rule', 'tokens=off']);
    runs.push(await throughput('tunesmith lint, 1 GB file, all rules but tokens', node, args, big, ROOT, 1));
  }

  table(runs);
  if (!values['skip-duplicates']) duplicatesTable(await duplicateRuns());
  const ratio = runs[0]!.mbPerSecond / peer.mbPerSecond;
  console.log(`\nAll rules but tokens vs secretlint: ${ratio.toFixed(2)}x (target >= 1.5x; aim 150 MB/s)`);
  console.log(
    `With o200k token counts: ${runs[1]!.mbPerSecond.toFixed(1)} MB/s; every example tokenized: ${runs[2]!.mbPerSecond.toFixed(1)} MB/s (target >= 20 MB/s)`,
  );
  const big = runs.find((run) => run.label.includes('1 GB'));
  if (big) console.log(`1 GB file peak RSS: ${big.peakRssMiB.toFixed(0)} MiB (target < 400 MB)`);
  evaluationPart();
}

await main();
