/**
 * Streams at both ends, against the built binary: a full or closed stdout, a FIFO as input, and
 * files far bigger than memory should hold (sparse, so the test stays fast).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { measure } from '../../../bench/measure.ts';
import { CLEAN, EMAIL, chat, emails } from './fixtures.ts';
import { BIN, buildBinary, runBinary, tempDir } from './helpers.ts';

const dir = tempDir('streams');
const tunesmith = (args: string[]) => runBinary(args, dir);

before(buildBinary);

test('a full stdout or --out device (/dev/full) is "cannot write output", exit 2, and no success claimed', () => {
  writeFileSync(join(dir, 'mail.jsonl'), emails(100_000));
  const full = openSync('/dev/full', 'w');
  try {
    for (const args of [
      ['lint', 'mail.jsonl'],
      ['stats', 'mail.jsonl'],
      ['fix', 'mail.jsonl'],
    ]) {
      const run = spawnSync(process.execPath, [BIN, ...args], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', full, 'pipe'],
      });
      assert.equal(run.status, 2, `${args[0]}: ${run.stderr}`);
      assert.equal(run.stderr, 'tunesmith: cannot write output: no space left on device\n', args[0]);
    }
  } finally {
    closeSync(full);
  }
  const out = tunesmith(['fix', 'mail.jsonl', '--out', '/dev/full']);
  assert.equal(out.status, 2);
  assert.equal(out.stderr, 'tunesmith: mail.jsonl: cannot write the fixed file (no space left on device)\n');
});

test('a reader that stops early (| head -1) ends the command quietly, with its own exit code', async () => {
  // Outputs of about 200 KB, more than a pipe holds. Warnings only (duplicates): lint exits 0 when
  // its output is read, and so when it is not. fix prints no summary: its output was not taken.
  writeFileSync(join(dir, 'dups.jsonl'), `${chat('q', 'a')}\n`.repeat(3_000));
  writeFileSync(join(dir, 'mails.jsonl'), emails(250_000));
  for (const args of [
    ['lint', 'dups.jsonl'],
    ['fix', 'mails.jsonl'],
  ]) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = await once(child, 'close');
    assert.equal(code, 0, `${args[0]}: ${stderr}`);
    assert.equal(stderr, '', args[0]);
  }
});

test('a FIFO is read as a stream: lint, stats and fix work; fix --in-place refuses it', () => {
  const fifo = join(dir, 'pipe.jsonl');
  execFileSync('mkfifo', [fifo]);
  const content = `${EMAIL}\n${CLEAN}\n{bad\n`;
  // A writer process per read, as `<(zcat data.jsonl.gz)` would be.
  const feed = (args: string[]) => {
    const writer = spawn('sh', ['-c', 'printf "%s" "$1" > "$2"', 'sh', content, fifo], { stdio: 'ignore' });
    const run = tunesmith(args);
    writer.kill();
    return run;
  };
  const lint = feed(['lint', 'pipe.jsonl', '--format', 'json']);
  assert.equal(lint.status, 1, lint.stderr);
  assert.deepEqual(
    (JSON.parse(lint.stdout) as { code: string }[]).map((f) => f.code),
    ['pii/email', 'syntax/invalid-json'],
  );
  const stats = feed(['stats', 'pipe.jsonl', '--json']);
  assert.equal(stats.status, 0, stats.stderr);
  assert.equal(JSON.parse(stats.stdout).examples, 2);
  const fix = feed(['fix', 'pipe.jsonl']);
  assert.equal(fix.status, 0, fix.stderr);
  assert.equal(fix.stdout, content.replace('bob.smith@gmail.com', '<EMAIL>'));
  const inPlace = tunesmith(['fix', 'pipe.jsonl', '--in-place']);
  assert.equal(inPlace.status, 2);
  assert.match(inPlace.stderr, /--in-place needs a regular file; pipe\.jsonl is not one/);
});

test('split refuses a binary file and an over-long line, in bounded memory (sparse files of 2 GB and 1 GB)', async () => {
  const zeros = join(dir, 'zeros.jsonl');
  writeFileSync(zeros, '');
  truncateSync(zeros, 2 ** 31);
  const binary = tunesmith(['split', 'zeros.jsonl', '--val', '0.1']);
  assert.equal(binary.status, 2);
  assert.equal(binary.stderr, 'tunesmith split: zeros.jsonl: binary file (NUL byte at offset 0); skipped\n');

  // A text head longer than the binary check reads, then 1 GB without a line break (main held it
  // twice: 4.3 GB for 2 GB).
  const head = `${CLEAN}\n`.repeat(100);
  const long = join(dir, 'long.jsonl');
  writeFileSync(long, head);
  truncateSync(long, 2 ** 30);
  const run = await measure(process.execPath, [BIN, 'split', 'long.jsonl', '--val', '0.1'], dir);
  console.log(
    `split of a 1 GB sparse line: ${run.wallMs.toFixed(0)} ms, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^tunesmith split: long\.jsonl:101: line of \d+ characters, over maxLineLength 1000000; fix or remove it, then split\n$/,
  );
  assert.ok(run.peakRssMiB < 300, `peak RSS ${run.peakRssMiB} MiB`);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.startsWith('long.') && name !== 'long.jsonl'),
    [],
    'no output written',
  );
});
