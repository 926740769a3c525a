/**
 * "Open Evaluation…" on a predictions file: the trainer's `score` command line (an argument array),
 * the fields of the file's first object (for the column quick picks, when the trainer cannot tell the
 * layout itself) and the message that names the lines `score` could not use. No `vscode` here.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EvaluationReport } from '../../shared/evaluation-report.ts';

/** Which fields of each line hold what (`score --layout columns`); prompt and base are optional. */
export interface ColumnMapping {
  reference: string;
  tuned: string;
  base?: string;
  prompt?: string;
}

/**
 * `python -m tunesmith_trainer score …`: the layout is the trainer's to detect (our evaluation.jsonl,
 * LLaMA-Factory's generated_predictions.jsonl) unless the user chose the columns. The report goes where
 * `score` puts it by default, `<predictions stem>.evaluation.json` beside the file (docs/evaluation.md).
 */
export function scoreArgs(predictions: string, columns?: ColumnMapping): string[] {
  const args = ['score', '--predictions', predictions];
  if (!columns) return args;
  args.push('--layout', 'columns', '--reference', columns.reference, '--tuned', columns.tuned);
  if (columns.base !== undefined) args.push('--base', columns.base);
  if (columns.prompt !== undefined) args.push('--prompt', columns.prompt);
  return args;
}

/** A field of the first object and how its value starts, for the quick pick's description. */
export interface Field {
  name: string;
  sample: string;
}

/** How much of the file is read to find its first object: enough for any sane line, never the whole file. */
const HEAD_BYTES = 1 << 20;
const SAMPLE_CHARS = 60;

/**
 * The fields of the first line that is a JSON object, in their order (empty when none in the first
 * megabyte is). Only the head is read: the file may be gigabytes.
 */
export async function firstObjectFields(path: string): Promise<Field[]> {
  const file = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
  for (const line of text.split(/\r\n|\n|\r/)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    return Object.entries(value as Record<string, unknown>).map(([name, field]) => {
      const shown = typeof field === 'string' ? field : JSON.stringify(field);
      const flat = shown.replace(/\s+/g, ' ');
      return { name, sample: flat.length > SAMPLE_CHARS ? `${flat.slice(0, SAMPLE_CHARS)}…` : flat };
    });
  }
  return [];
}

/** How many problems the message quotes; the panel's details list them all. */
const QUOTED = 3;

/**
 * The lines `score` could not use, in a sentence (undefined when there are none): the first few with
 * their line numbers, and that the rest of the file is shown.
 */
export function problemsMessage(predictions: string, report: EvaluationReport): string | undefined {
  const problems = report.problems;
  if (problems.length === 0) return undefined;
  const quoted = problems
    .slice(0, QUOTED)
    .map((problem) =>
      problem.line === undefined ? problem.message : `line ${problem.line}: ${problem.message}`,
    )
    .join('; ');
  const more =
    problems.length > QUOTED ? `; and ${problems.length - QUOTED} more (in the panel's details)` : '';
  const scored = report.examples.filter((example) => example.error === undefined).length;
  return `${basename(predictions)}: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${quoted}${more}). The ${scored} example${scored === 1 ? '' : 's'} that could be scored are shown.`;
}
