/**
 * Faults a user meets, against the built binary: kills, full disks, closed or full stdout, streams
 * as input, huge sparse files. Each says which boundary it fakes, if any.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { measure } from '../../../bench/measure.ts';
import { CLEAN, EMAIL, chat } from './fixtures.ts';
import { BIN, buildBinary, tempDir } from './helpers.ts';

const dir = tempDir('faults');

before(buildBinary);

function tunesmith(args: string[], cwd = dir) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
}

const temps = (folder: string): string[] => readdirSync(folder).filter((name) => name.endsWith('.tmp'));

/** Lines with one email each: every line gets a fix, so the fixed file differs all through. */
function emails(bytes: number): string {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    lines.push(chat(`mail user${i}@gmail.com about order ${i}`, `done ${i}`));
    size += lines[lines.length - 1]!.length + 1;
  }
  return lines.join('\n') + '\n';
}

test('fix --in-place killed at random moments: FILE is the old or the new bytes, FILE.bak never partial (property)', async () => {
  const path = join(dir, 'kill.jsonl');
  const backup = `${path}.bak`;
  // Token counts off: loading the tokenizer is most of a short run, and no fix comes from it.
  const fixArgs = ['fix', 'kill.jsonl', '--in-place', '--rule', 'tokens=off'];
  const old = Buffer.from(emails(300_000)); // small: the kill lands in the write often enough
  const earlier = Buffer.from(`${CLEAN}\n`.repeat(3_000)); // an earlier good backup
  const reset = (): void => {
    writeFileSync(path, old);
    writeFileSync(backup, earlier);
  };
  reset();
  let started = Date.now();
  assert.equal(tunesmith(fixArgs).status, 0);
  const duration = Date.now() - started;
  const fixed = readFileSync(path);
  assert.ok(readFileSync(backup).equals(old));
  assert.ok(!fixed.equals(old));

  // How the kills landed: before the write, during it (its temp file left behind), after the rename.
  const seen = { old: 0, midWrite: 0, fixed: 0 };
  started = Date.now();
  await fc.assert(
    fc.asyncProperty(
      // Killed at a moment anywhere in the run, or in the few milliseconds once its temp file exists
      // (the write, the fsyncs, the backup and the renames), where a random moment rarely lands.
      fc.oneof(
        fc.record({
          anchor: fc.constant('start' as const),
          ms: fc.integer({ min: 0, max: Math.round(duration * 1.2) }),
        }),
        fc.record({ anchor: fc.constant('temp' as const), ms: fc.integer({ min: 0, max: 40 }) }),
      ),
      async ({ anchor, ms }) => {
        // A deadline of our own: a time-limit plugin would abandon a run whose child is still writing.
        if (Date.now() - started > 30_000) return;
        reset();
        const child = spawn(process.execPath, [BIN, ...fixArgs], {
          cwd: dir,
          stdio: 'ignore',
        });
        const exited = once(child, 'exit');
        const own = (name: string): boolean => name.includes(`.tunesmith-${child.pid}.tmp`);
        if (anchor === 'temp') while (child.exitCode === null && !temps(dir).some(own)) await tick();
        await delay(ms); // the kill moment itself, drawn at random: not a wait for some state
        child.kill('SIGKILL');
        await exited;
        const file = readFileSync(path);
        const kept = readFileSync(backup);
        assert.ok(file.equals(old) || file.equals(fixed), 'FILE is the old or the complete new file');
        assert.ok(kept.equals(earlier) || kept.equals(old), 'FILE.bak is the earlier or the complete one');
        if (file.equals(fixed)) assert.ok(kept.equals(old), 'FILE changes only once its backup is on disk');
        seen[file.equals(fixed) ? 'fixed' : temps(dir).some(own) ? 'midWrite' : 'old']++;
      },
    ),
    { numRuns: 60, endOnFailure: true },
  );
  console.log(
    `kills in ${Date.now() - started} ms: ${JSON.stringify(seen)} (one uninterrupted run: ${duration} ms)`,
  );
  // A run to the end removes the temporary files the killed runs left (their processes are dead).
  reset();
  const last = tunesmith(fixArgs);
  assert.equal(last.status, 0, last.stderr);
  const final = readFileSync(path);
  assert.ok(final.equals(fixed), `${final.length} vs ${fixed.length} (old ${old.length}): ${last.stderr}`);
  assert.deepEqual(temps(dir), []);
});

/**
 * Runs the binary in a tmpfs of `size` (a real full disk, a boundary we do not own) mounted in a
 * private mount namespace, so no root and no cleanup: the mount goes when the command ends.
 * Returns what the folder held afterwards; undefined where user namespaces are not available.
 */
function inTinyDisk(size: string, files: Record<string, Buffer>, args: string[]) {
  const work = tempDir('tmpfs');
  const [stage, mount, result] = ['stage', 'mount', 'result'].map((name) => join(work, name));
  for (const folder of [stage, mount, join(result!, 'files')]) mkdirSync(folder!, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(stage!, name), bytes);
  const script = `size=$1 mnt=$2 stage=$3 result=$4
shift 4
mount -t tmpfs -o size="$size" tmpfs "$mnt" || exit 90
cp -a "$stage"/. "$mnt"/ && cd "$mnt" || exit 91
"$@" 2>"$result/stderr"
echo $? >"$result/code"
cp -a "$mnt"/. "$result/files/"`;
  const run = spawnSync(
    'unshare',
    [
      ...['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh'],
      ...[size, mount!, stage!, result!, process.execPath, BIN, ...args],
    ],
    { encoding: 'utf8' },
  );
  if (run.status === 90 || run.error || !existsSync(join(result!, 'code'))) return undefined;
  const after: Record<string, Buffer> = {};
  for (const name of readdirSync(join(result!, 'files')))
    after[name] = readFileSync(join(result!, 'files', name));
  return {
    code: Number(readFileSync(join(result!, 'code'), 'utf8')),
    stderr: readFileSync(join(result!, 'stderr'), 'utf8'),
    after,
  };
}

test('a full disk during fix leaves the original, an earlier backup and no temporary file (tmpfs)', (t) => {
  const original = Buffer.from(emails(200_000));
  const earlier = Buffer.from(`${CLEAN}\n`.repeat(1_200)); // about 100 KB
  // Original, earlier backup and the fixed temp file fit; the backup's temp file does not.
  const backupFull = inTinyDisk('600k', { 'data.jsonl': original, 'data.jsonl.bak': earlier }, [
    'fix',
    'data.jsonl',
    '--in-place',
  ]);
  if (!backupFull) return t.skip('user namespaces are not available here to mount a tiny tmpfs');
  assert.equal(backupFull.code, 2, backupFull.stderr);
  assert.match(backupFull.stderr, /data\.jsonl: cannot write the fixed file \(no space left on device\)/);
  assert.doesNotMatch(backupFull.stderr, /fixed \d+ finding/);
  assert.deepEqual(Object.keys(backupFull.after).sort(), ['data.jsonl', 'data.jsonl.bak']);
  assert.ok(backupFull.after['data.jsonl']!.equals(original));
  assert.ok(backupFull.after['data.jsonl.bak']!.equals(earlier));

  // The fixed temp file itself does not fit.
  const writeFull = inTinyDisk('300k', { 'data.jsonl': original }, ['fix', 'data.jsonl', '--in-place']);
  assert.equal(writeFull?.code, 2, writeFull?.stderr);
  assert.deepEqual(Object.keys(writeFull.after), ['data.jsonl']);
  assert.ok(writeFull.after['data.jsonl']!.equals(original));

  // --out: no truncated output, and an earlier output stays as it was.
  const outFull = inTinyDisk('400k', { 'data.jsonl': original, 'fixed.jsonl': earlier }, [
    'fix',
    'data.jsonl',
    '--out',
    'fixed.jsonl',
  ]);
  assert.equal(outFull?.code, 2, outFull?.stderr);
  assert.doesNotMatch(outFull.stderr, /fixed \d+ finding/);
  assert.deepEqual(Object.keys(outFull.after).sort(), ['data.jsonl', 'fixed.jsonl']);
  assert.ok(outFull.after['fixed.jsonl']!.equals(earlier));
});

test('a full stdout or --out device (/dev/full) is "cannot write output", exit 2, and no success claimed', () => {
  writeFileSync(join(dir, 'mail.jsonl'), emails(200_000));
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
  // Warnings only (duplicates): exit 0 when the output is read, and so when it is not.
  writeFileSync(join(dir, 'dups.jsonl'), `${chat('q', 'a')}\n`.repeat(20_000));
  for (const args of [
    ['lint', 'dups.jsonl'],
    ['fix', 'dups.jsonl'],
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

test('split refuses a binary file and an over-long line, in bounded memory (2 GB sparse files)', async () => {
  const zeros = join(dir, 'zeros.jsonl');
  writeFileSync(zeros, '');
  truncateSync(zeros, 2 ** 31);
  const binary = tunesmith(['split', 'zeros.jsonl', '--val', '0.1']);
  assert.equal(binary.status, 2);
  assert.equal(binary.stderr, 'tunesmith split: zeros.jsonl: binary file (NUL byte at offset 0); skipped\n');

  // A text head longer than the binary check reads, then 2 GB without a line break.
  const head = `${CLEAN}\n`.repeat(100);
  const long = join(dir, 'long.jsonl');
  writeFileSync(long, head);
  truncateSync(long, 2 ** 31);
  const run = await measure(process.execPath, [BIN, 'split', 'long.jsonl', '--val', '0.1'], dir);
  console.log(
    `split of a 2 GB sparse line: ${run.wallMs.toFixed(0)} ms, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
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
