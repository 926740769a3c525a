/** `tunesmith diff OLD NEW`: what changed between two versions of a dataset, for a person or for CI. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import { diffDatasets, type DatasetDiff } from '../../core/diff/dataset-diff.ts';
import { displayPath } from '../../core/io/files.ts';
import { RevisionProblem, repoFileOf, writeFileAtRevision } from '../../core/io/git-revision.ts';
import { parse } from '../args.ts';
import { EXIT, UsageError, type Command, type CommandIO } from '../command.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { lintOneFile, parseThreads, type LintedInput } from '../session.ts';

const DIFF_USAGE = `Usage: tunesmith diff OLD NEW [--json] [--limit N] [--config FILE] [--rule CODE=SEVERITY] [--threads N]
       tunesmith diff --rev REV FILE [...]

Examples added, removed and changed between two versions of a dataset (matched by content, not by
line number), and the drift of its statistics: tokens per example, format mix, labels, system
prompts and findings, with a summary in plain words. --limit: examples listed of each kind (20).
--rev: FILE as it was at git revision REV (a hash, branch, tag, HEAD~1…) against FILE as it is.
`;

interface Side extends LintedInput {
  shown: string;
}

async function lintSide(
  io: CommandIO,
  config: ResolvedConfig,
  threads: number | undefined,
  path: string,
  shown: string,
): Promise<Side> {
  return { ...(await lintOneFile(io, config, threads, path, shown)), shown };
}

/** FILE at REV, copied from git into a folder of its own; `remove` deletes the copy. */
async function atRevision(io: CommandIO, file: string, revision: string) {
  const folder = mkdtempSync(join(tmpdir(), 'tunesmith-diff-'));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    const path = join(folder, basename(file));
    await writeFileAtRevision(await repoFileOf(file), revision, path);
    return { path, shown: `${displayPath(io.cwd, file)}@${revision}`, remove };
  } catch (error) {
    remove();
    if (error instanceof RevisionProblem) throw new UsageError(`diff --rev: ${error.message}`);
    throw error;
  }
}

export const diffCommand: Command = async (args, io) => {
  const { values, positionals } = parse('diff', args, {
    json: { type: 'boolean' },
    limit: { type: 'string' },
    rev: { type: 'string' },
    config: { type: 'string' },
    rule: { type: 'string', multiple: true },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(DIFF_USAGE);
    return EXIT.clean;
  }
  const wanted = values.rev === undefined ? 2 : 1;
  if (positionals.length !== wanted)
    throw new UsageError(
      `diff: expected ${wanted === 2 ? 'OLD and NEW files' : 'one FILE with --rev'}\n\n${DIFF_USAGE}`,
    );
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('diff: --limit takes a whole number');
  const config = applyRuleOverrides(loadConfig(io, values.config).config, values.rule ?? []);
  const threads = parseThreads(values.threads);
  const newPath = resolve(io.cwd, positionals[wanted - 1]!);
  const copy = values.rev === undefined ? undefined : await atRevision(io, newPath, values.rev);
  const oldPath = copy?.path ?? resolve(io.cwd, positionals[0]!);
  const sides: Side[] = [];
  try {
    sides.push(await lintSide(io, config, threads, oldPath, copy?.shown ?? displayPath(io.cwd, oldPath)));
    sides.push(await lintSide(io, config, threads, newPath, displayPath(io.cwd, newPath)));
    const [old, neu] = sides as [Side, Side];
    const diff = await diffDatasets(old, neu, config, limit);
    io.stdout(values.json === true ? asJson(old.shown, neu.shown, diff) : asText(old.shown, neu.shown, diff));
    return EXIT.clean;
  } finally {
    for (const side of sides) side.close();
    copy?.remove();
  }
};

const asJson = (old: string, neu: string, { summary, examples, drift }: DatasetDiff): string =>
  JSON.stringify({ old, new: neu, summary, examples, drift }, null, 2) + '\n';

function asText(old: string, neu: string, { summary, examples }: DatasetDiff): string {
  let out = `${old} → ${neu}\n\n${summary.map((line) => `  ${line}`).join('\n')}\n`;
  const list = (title: string, refs: { line: number; preview: string }[], total: number) => {
    if (refs.length === 0) return;
    out += `\n${title} (${total.toLocaleString('en-US')}${refs.length < total ? `, first ${refs.length}` : ''})\n`;
    for (const item of refs) out += `  ${String(item.line).padStart(7)}  ${item.preview}\n`;
  };
  list(`Added, lines of ${neu}`, examples.added.examples, examples.added.count);
  list(`Removed, lines of ${old}`, examples.removed.examples, examples.removed.count);
  if (examples.changed.examples.length > 0) {
    out += `\nChanged (${examples.changed.count.toLocaleString('en-US')}): old line → new line\n`;
    for (const pair of examples.changed.examples)
      out += `  ${String(pair.old.line).padStart(7)} → ${String(pair.new.line).padEnd(7)}  ${pair.new.preview}\n`;
  }
  return out;
}
