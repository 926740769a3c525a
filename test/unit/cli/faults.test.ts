/**
 * What is on disk after a kill or a full disk during `fix`, against the built binary: the old file or
 * the complete new one, and a backup never partial. The full disk is a real one (a tmpfs).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setImmediate as tick, setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { CLEAN, emails } from './fixtures.ts';
import { BIN, buildBinary, runBinary, tempDir } from './helpers.ts';

const dir = tempDir('faults');
const tunesmith = (args: string[]) => runBinary(args, dir);
const temps = (folder: string): string[] => readdirSync(folder).filter((name) => name.endsWith('.tmp'));

before(buildBinary);

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
      // Three in four land in that window.
      fc.oneof(
        {
          weight: 1,
          arbitrary: fc.record({
            anchor: fc.constant('start' as const),
            ms: fc.integer({ min: 0, max: Math.round(duration * 1.2) }),
          }),
        },
        {
          weight: 3,
          arbitrary: fc.record({ anchor: fc.constant('temp' as const), ms: fc.integer({ min: 0, max: 40 }) }),
        },
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
