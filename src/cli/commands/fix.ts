/** `tunesmith fix FILE`: applies mechanical fixes; untouched lines stay byte-identical. */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ALL_RULES } from '../../server/rules/index.ts';
import { planFixes, writeFixed, type FixPlan } from '../apply-fixes.ts';
import { parse } from '../args.ts';
import { EXIT, UsageError, type Command, type CommandIO } from '../command.ts';
import { describeError, displayPath } from '../files.ts';
import { FileProblem, type LintedFile } from '../lint-file.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { LintSession, parseThreads } from '../session.ts';

export const FIX_USAGE = `Usage: tunesmith fix FILE [options]

Applies the mechanical fixes of the findings in FILE. Lines no fix touches stay byte-identical.

Options:
  --rules CODE,...   only fixes of these codes or families (default: every fixable finding)
  --out FILE         write the result to FILE (default: standard output)
  --in-place         replace FILE, keeping the original as FILE.bak
  --config FILE      configuration file (default: ./tunesmith.json if present)
  --rule CODE=SEVERITY
  --threads N
`;

function fixSummary(plan: FixPlan): string {
  const total = [...plan.applied.values()].reduce((a, b) => a + b, 0);
  let text = `tunesmith: fixed ${total} finding${total === 1 ? '' : 's'}\n`;
  for (const [code, count] of [...plan.applied].sort((a, b) => a[0].localeCompare(b[0])))
    text += `  ${code}: ${count}\n`;
  if (plan.skipped > 0)
    text += `  skipped ${plan.skipped} overlapping fix${plan.skipped === 1 ? '' : 'es'}\n`;
  return text;
}

/** Writes next to the target, flushes to disk, then renames over it: never a half-written file. */
function writeInPlace(path: string, emit: (write: (bytes: Uint8Array) => void) => void): void {
  const temp = join(dirname(path), `.${basename(path)}.tunesmith-${process.pid}.tmp`);
  const fd = openSync(temp, 'w', statSync(path).mode & 0o777);
  try {
    emit((bytes) => {
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    });
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  copyFileSync(path, `${path}.bak`);
  chmodSync(temp, statSync(path).mode & 0o7777);
  renameSync(temp, path);
  try {
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir); // make the rename itself durable
    closeSync(dir);
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic.
  }
}

export const fixCommand: Command = async (args, io: CommandIO) => {
  const { values, positionals } = parse('fix', args, {
    rules: { type: 'string' },
    out: { type: 'string' },
    'in-place': { type: 'boolean' },
    config: { type: 'string' },
    rule: { type: 'string', multiple: true },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(FIX_USAGE);
    return EXIT.clean;
  }
  if (positionals.length !== 1) throw new UsageError('fix: expected exactly one FILE\n\n' + FIX_USAGE);
  if (values.out !== undefined && values['in-place'])
    throw new UsageError('fix: use --out or --in-place, not both');
  const wantedCodes = values.rules
    ?.split(',')
    .map((code) => code.trim())
    .filter(Boolean);
  for (const code of wantedCodes ?? []) {
    if (!ALL_RULES.some((rule) => rule.code === code || rule.family === code))
      throw new UsageError(`--rules: unknown rule code or family "${code}"`);
  }
  const wanted = (code: string): boolean =>
    !wantedCodes || wantedCodes.some((want) => want === code || code.startsWith(`${want}/`));

  const config = applyRuleOverrides(loadConfig(io, values.config).config, values.rule ?? []);
  const path = resolve(io.cwd, positionals[0]!);
  const shown = displayPath(io.cwd, path);
  const session = new LintSession(io, config, parseThreads(values.threads));
  let linted: LintedFile;
  try {
    linted = await session.lint(path, shown);
  } catch (error) {
    if (error instanceof FileProblem) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  } finally {
    await session.close();
  }

  try {
    const plan = planFixes(linted.findings, linted.lines, wanted);
    const emit = (write: (bytes: Uint8Array) => void): void =>
      writeFixed(path, plan, linted.lines, linted.reader, write);
    try {
      if (values['in-place']) {
        if (plan.edits.length > 0) writeInPlace(path, emit);
      } else if (values.out !== undefined) {
        const target = resolve(io.cwd, values.out);
        if (target === path) throw new UsageError('fix: --out names the input file; use --in-place');
        const fd = openSync(target, 'w');
        try {
          emit((bytes) => {
            for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
          });
        } finally {
          closeSync(fd);
        }
      } else {
        // Copy: the chunk buffer is not reused, but an in-memory stdout may keep it.
        emit((bytes) =>
          io.stdoutBytes ? io.stdoutBytes(bytes) : io.stdout(Buffer.from(bytes).toString('utf8')),
        );
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${shown}: cannot write the fixed file (${describeError(error)})`);
    }
    io.stderr(fixSummary(plan));
  } finally {
    linted.reader.close();
  }
  return EXIT.clean;
};
