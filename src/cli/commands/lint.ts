/** `tunesmith lint PATHS...`: lints files and directories, prints findings, exits 0, 1 or 2. */
import { resolve } from 'node:path';
import { compareFindings } from '../../core/engine/linter.ts';
import { FileLines } from '../../core/engine/reader.ts';
import type { Finding } from '../../core/engine/types.ts';
import { ALL_RULES } from '../../core/rules/index.ts';
import { parse, parseCount } from '../args.ts';
import {
  addToBaseline,
  applyBaseline,
  emptyBaseline,
  fingerprint,
  readBaseline,
  writeBaseline,
  type BaselineFile,
} from '../baseline.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import {
  FileProblem,
  describeError,
  displayPath,
  expandPaths,
  regularInput,
  type InputFile,
} from '../../core/io/files.ts';
import { fileSize, type LineIndex } from '../../core/lint/lint-file.ts';
import { splitRole } from '../../core/rules/split/index.ts';
import { readSemanticExamples } from '../../core/semantic/examples.ts';
import { semanticRulesOn, type SemanticFile } from '../../core/semantic/pass.ts';
import { runSemanticPass } from '../../core/semantic/run.ts';
import { applyRuleOverrides, loadConfig } from '../load-config.ts';
import { jsonChunks, textChunks, type FileFindings } from '../output/formats.ts';
import { formatSarif } from '../output/sarif.ts';
import { Progress } from '../progress.ts';
import { cliSession, parseThreads } from '../session.ts';
import { VERSION } from '../version.ts';

const LINT_USAGE = `Usage: tunesmith lint PATHS... [options]

Lints JSONL files; directories expand to the files that tunesmith.json's files.include selects.

Options:
  --format text|json|sarif   output format (default: text)
  --config FILE              configuration file (default: ./tunesmith.json if present)
  --rule CODE=SEVERITY       override a rule or family: error, warning, info, hint or off (repeatable)
  --baseline FILE            suppress the findings recorded in FILE
  --update-baseline          record the current findings in the --baseline FILE and exit 0
  --max-warnings N           exit 1 when there are more than N warnings
  --threads N                worker threads (0: lint in the main thread; default: by file size)
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** The text of each finding's line, for fingerprints; reads each line once. */
function fingerprints(path: string, lines: LineIndex, findings: readonly Finding[]): string[] {
  const reader = new FileLines(path);
  try {
    const texts = new Map<number, string>();
    return findings.map((finding) => {
      const line = finding.range.start.line;
      let text = texts.get(line);
      if (text === undefined) {
        text = line < lines.count ? reader.read(lines.raw(line)).text : '';
        texts.set(line, text);
      }
      return fingerprint(finding, text);
    });
  } finally {
    reader.close();
  }
}

export const lintCommand: Command = async (args, io) => {
  const { values, positionals } = parse('lint', args, {
    format: { type: 'string' },
    config: { type: 'string' },
    rule: { type: 'string', multiple: true },
    baseline: { type: 'string' },
    'update-baseline': { type: 'boolean' },
    'max-warnings': { type: 'string' },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(LINT_USAGE);
    return EXIT.clean;
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format ${values.format}: expected text, json or sarif`);
  if (positionals.length === 0) throw new UsageError('lint: no PATHS given\n\n' + LINT_USAGE);
  if (values['update-baseline'] && !values.baseline)
    throw new UsageError('--update-baseline needs --baseline FILE');
  const maxWarnings = parseCount('--max-warnings', values['max-warnings']);
  const threads = parseThreads(values.threads);

  const loaded = loadConfig(io, values.config);
  const config = applyRuleOverrides(loaded.config, values.rule ?? []);
  const baselinePath = values.baseline === undefined ? undefined : resolve(io.cwd, values.baseline);
  const update = values['update-baseline'] === true;
  const baseline: BaselineFile | undefined = baselinePath
    ? update
      ? emptyBaseline()
      : readBaseline(baselinePath, values.baseline!, false)
    : undefined;

  const { files, problems } = expandPaths(positionals, io.cwd, config);
  for (const problem of problems) io.stderr(`tunesmith: ${problem}\n`);
  if (files.length === 0 && problems.length === 0) io.stderr('tunesmith: no files matched\n');

  const session = cliSession(io, config, threads);
  const totalBytes = files.reduce((sum, file) => sum + fileSize(file), 0);
  const progress = new Progress(io, totalBytes);
  const linted: { shown: string; path: string; lines: LineIndex; findings: Finding[] }[] = [];
  // Copies of streams (FIFOs) named on the command line, read again for baselines and leakage.
  const inputs: InputFile[] = [];
  let failedFiles = problems.length;
  let doneBytes = 0;
  let results: FileFindings[];
  try {
    for (const file of files) {
      const shown = displayPath(io.cwd, file);
      try {
        const input = await regularInput(file);
        inputs.push(input);
        const result = await session.lint(input.path, shown, (bytes) =>
          progress.update(shown, doneBytes + bytes),
        );
        result.reader.close();
        linted.push({ shown, path: input.path, lines: result.lines, findings: result.findings });
      } catch (error) {
        if (!(error instanceof FileProblem)) throw error;
        progress.clear();
        io.stderr(`tunesmith: ${shown}: ${error.message}\n`);
        failedFiles++;
      } finally {
        doneBytes += fileSize(file);
      }
    }
    progress.clear();
    const leaks = await session.workspaceFindings();
    for (const file of linted) {
      const extra = leaks.get(file.shown);
      if (extra) file.findings = file.findings.concat(extra).sort(compareFindings);
    }
    const semantic = semanticRulesOn(config)
      ? await runSemanticPass(
          (maxPrompts) => {
            const budget = { left: maxPrompts };
            const files: SemanticFile[] = [];
            for (const file of linted) {
              const examples = readSemanticExamples(file.path, file.lines, config, budget);
              if (!examples) return undefined;
              files.push({
                file: file.shown,
                role: splitRole(file.shown, config),
                examples,
                lexical: file.findings,
              });
            }
            return files;
          },
          config,
          io.cwd,
        )
      : undefined;
    // Said to a person at a terminal; a script's stderr stays what it was before the semantic rules.
    if (semantic?.state === 'off' && io.stderrIsTTY) io.stderr(`tunesmith: ${semantic.info}\n`);
    if (semantic?.state === 'failed') io.stderr(`tunesmith: ${semantic.message}\n`);
    if (semantic?.state === 'ran') {
      for (const notice of semantic.notices) io.stderr(`tunesmith: ${notice}\n`);
      for (const file of linted) {
        const extra = semantic.findings.get(file.shown);
        if (extra) file.findings = file.findings.concat(extra).sort(compareFindings);
      }
    }
    results = linted.map((file) => {
      if (!baseline) return { file: file.shown, findings: file.findings };
      const prints = fingerprints(file.path, file.lines, file.findings);
      if (update) {
        addToBaseline(baseline, file.shown, file.findings, prints);
        return { file: file.shown, findings: [] };
      }
      return { file: file.shown, findings: applyBaseline(baseline, file.shown, file.findings, prints) };
    });
  } finally {
    progress.clear();
    await session.close();
    for (const input of inputs) input.close();
  }

  if (update && baseline && baselinePath) {
    try {
      writeBaseline(baselinePath, baseline);
    } catch (error) {
      throw new UsageError(`${values.baseline}: cannot write the baseline (${describeError(error)})`);
    }
    const count = Object.values(baseline.files).reduce(
      (sum, entries) => sum + Object.values(entries).reduce((n, entry) => n + entry.count, 0),
      0,
    );
    io.stderr(`tunesmith: wrote ${count} finding${count === 1 ? '' : 's'} to ${values.baseline}\n`);
  }

  if (format === 'sarif') io.stdout(formatSarif(results, ALL_RULES, VERSION));
  else for (const chunk of format === 'json' ? jsonChunks(results) : textChunks(results)) io.stdout(chunk);

  if (failedFiles > 0) return EXIT.usage;
  const all = results.flatMap((result) => result.findings);
  const errors = all.filter((finding) => finding.severity === 'error').length;
  const warnings = all.filter((finding) => finding.severity === 'warning').length;
  if (errors > 0 || (maxWarnings !== undefined && warnings > maxWarnings)) {
    if (errors === 0) io.stderr(`tunesmith: ${warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
    return EXIT.findings;
  }
  return EXIT.clean;
};
