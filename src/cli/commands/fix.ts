/** `tunesmith fix FILE`: applies mechanical fixes; untouched lines stay byte-identical. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_RULES } from '../../core/rules/index.ts';
import { planFixes, type FixPlan } from '../../core/engine/fixes.ts';
import { writeFixed } from '../write-fixed.ts';
import { parse } from '../args.ts';
import { EXIT, UsageError, stdoutWritten, type Command, type CommandIO } from '../command.ts';
import { describeError, displayPath, sameFile } from '../../core/io/files.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { SafeFile, writeFileSafely } from '../../core/io/safe-write.ts';
import { lintOneFile, parseThreads } from '../session.ts';

const FIX_USAGE = `Usage: tunesmith fix FILE [options]

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
    text += `  skipped ${plan.skipped} overlapping fix${plan.skipped === 1 ? '' : 'es'}: run fix again for ${plan.skipped === 1 ? 'it' : 'them'}\n`;
  return text;
}

/**
 * Replaces FILE with the fixed bytes, keeping the original as FILE.bak; both are written by `SafeFile`
 * (temporary file, fsync, rename). The fixed bytes are on disk before the backup is touched, and the
 * backup before FILE is: a kill or a full disk at any point leaves FILE and an earlier FILE.bak whole.
 * `original` is the descriptor of the file that was linted, copied to the backup as it was read.
 */
function replaceKeepingBackup(
  path: string,
  original: number,
  emit: (write: (bytes: Uint8Array) => void) => void,
): void {
  const mode = statSync(path).mode & 0o7777;
  const fixed = new SafeFile(path, { mode });
  let backup: SafeFile | undefined;
  try {
    emit((bytes) => fixed.write(bytes));
    fixed.sync(); // a failed fix must leave an earlier FILE.bak alone too
    backup = new SafeFile(`${path}.bak`, { mode });
    backup.copyFrom(original);
    backup.commit();
    fixed.commit();
  } finally {
    fixed.abort();
    backup?.abort();
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
  const target = values.out === undefined ? undefined : resolve(io.cwd, values.out);
  // By identity, not by name: through a symbolic or hard link the output would overwrite the input
  // while it is being read.
  if (target !== undefined && (target === path || sameFile(target, path)))
    throw new UsageError(
      `fix: --out ${values.out} is ${shown} itself${target === path ? '' : ' (a link to it)'}; use --in-place to replace it`,
    );
  if (values['in-place'] && statSync(path, { throwIfNoEntry: false })?.isFile() === false)
    throw new UsageError(`fix: --in-place needs a regular file; ${shown} is not one (use --out)`);
  const linted = await lintOneFile(io, config, parseThreads(values.threads), path, shown);
  try {
    const plan = planFixes(linted.findings, {
      wanted,
      unread: (line) => line < linted.lines.count && linted.lines.raw(line).truncatedLength !== undefined,
    });
    const emit = (write: (bytes: Uint8Array) => void): void => {
      writeFixed(plan, linted.lines, linted.reader, write);
      // Another writer (an editor, a second fix) would have its change lost, or mixed with ours.
      if (linted.changed())
        throw new UsageError(
          `${shown}: changed while it was being fixed (by another program?); run fix again`,
        );
    };
    try {
      if (values['in-place']) {
        if (plan.edits.length > 0) replaceKeepingBackup(path, linted.reader.fd, emit);
      } else if (target !== undefined) writeFileSafely(target, emit);
      else {
        // Copy: the chunk buffer is not reused, but an in-memory stdout may keep it.
        emit((bytes) =>
          io.stdoutBytes ? io.stdoutBytes(bytes) : io.stdout(Buffer.from(bytes).toString('utf8')),
        );
        // A closed or full stdout is reported by the dispatcher; success is claimed only once written.
        if (!(await stdoutWritten(io))) return EXIT.clean;
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${shown}: cannot write the fixed file (${describeError(error)})`);
    }
    io.stderr(fixSummary(plan));
  } finally {
    linted.close();
  }
  return EXIT.clean;
};
