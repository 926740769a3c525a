/**
 * "Compare in diff editor": two texts of one example (base, tuned, reference) in VS Code's own diff
 * editor, as read-only virtual documents of the `tunesmith-evaluation:` scheme. The URI names the
 * report, the example and the text; the content comes from the report on disk (through the cache).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isCompareInDiffArgs, TEXT_SIDES, type TextSide } from '../../shared/evaluation-protocol.ts';
import type { EvaluationExample } from '../../shared/evaluation-report.ts';
import { exampleAt, type ReportStore } from './reports.ts';

export const SCHEME = 'tunesmith-evaluation';

interface TextQuery {
  report: string;
  index: number;
  side: TextSide;
}

/** `tunesmith-evaluation:/final.json/#12 base?{…}`: the path is what a tab shows, the query what is read. */
function textUri(report: string, index: number, side: TextSide): vscode.Uri {
  const query: TextQuery = { report, index, side };
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `/${basename(report)}/#${index} ${side}`,
    query: JSON.stringify(query),
  });
}

function parseQuery(uri: vscode.Uri): TextQuery | undefined {
  try {
    const value: unknown = JSON.parse(uri.query);
    const query = value as Partial<TextQuery>;
    return typeof query.report === 'string' &&
      Number.isInteger(query.index) &&
      TEXT_SIDES.includes(query.side as TextSide)
      ? (value as TextQuery)
      : undefined;
  } catch {
    return undefined;
  }
}

const textOf = (example: EvaluationExample, side: TextSide): string | undefined =>
  side === 'reference' ? example.reference : example.outputs[side];

export class EvaluationTexts implements vscode.TextDocumentContentProvider {
  constructor(private readonly store: ReportStore) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const query = parseQuery(uri);
    if (!query) return `Not a Tunesmith evaluation text: ${uri.toString()}`;
    const result = await this.store.get(query.report);
    if (!result.ok) return result.problem;
    const example = exampleAt(result.report, query.index);
    const text = example && textOf(example, query.side);
    return text ?? `Example #${query.index} of ${query.report} has no ${query.side} text.`;
  }
}

/** `tunesmith.evaluation.compareInDiff`: checks its argument (any caller may pass anything), then opens the diff. */
export async function compareInDiff(args: unknown, store: ReportStore): Promise<void> {
  if (!isCompareInDiffArgs(args)) {
    void vscode.window.showErrorMessage(
      'Tunesmith: compareInDiff needs { report: <absolute path of a report .json>, index, left, right } with two different texts of base, tuned, reference.',
    );
    return;
  }
  const result = await store.get(args.report);
  if (!result.ok) return void vscode.window.showErrorMessage(`Tunesmith: ${result.problem}`);
  const example = exampleAt(result.report, args.index);
  if (!example)
    return void vscode.window.showErrorMessage(`Tunesmith: ${args.report} has no example #${args.index}.`);
  const missing = [args.left, args.right].find((side) => textOf(example, side) === undefined);
  if (missing)
    return void vscode.window.showErrorMessage(
      `Tunesmith: example #${args.index} has no ${missing} output (a one-system report).`,
    );
  await vscode.commands.executeCommand(
    'vscode.diff',
    textUri(args.report, args.index, args.left),
    textUri(args.report, args.index, args.right),
    `#${args.index} ${args.left} ↔ ${args.right}`,
    { preview: true, viewColumn: vscode.ViewColumn.Beside },
  );
}
