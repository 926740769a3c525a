/**
 * "Tunesmith: Open Evaluation…" (command palette, and the Explorer's context menu on .json / .jsonl):
 * a report opens in the evaluation panel as it is; a predictions file is first scored by the trainer
 * (`score`, through `trainerJson`: an argument array, the interpreter the rest of the extension uses)
 * into a report beside it. When the trainer cannot tell which fields hold what, the user maps them.
 */
import { basename, dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { ensureTrainer } from '../python/environment.ts';
import { trainerJson } from '../python/interpreter.ts';
import type { EvaluationSummary } from '../../shared/evaluation-events.ts';
import type { ReportStore } from './reports.ts';
import { firstObjectFields, problemsMessage, scoreArgs, type ColumnMapping, type Field } from './score.ts';

const UNTRUSTED =
  'Scoring a predictions file needs a trusted workspace: it runs the Python interpreter this workspace names.';

interface OpenHost {
  store: ReportStore;
  output: vscode.LogOutputChannel;
  /** Opens the evaluation panel on a report's absolute path. */
  show(path: string): void;
}

export async function openEvaluation(arg: unknown, host: OpenHost): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : await ask();
  if (!uri) return;
  if (uri.scheme !== 'file')
    return void vscode.window.showErrorMessage('Tunesmith: Open Evaluation works on files on this machine.');
  const path = uri.fsPath;
  if (/\.json$/i.test(path)) return host.show(path);
  if (!/\.jsonl$/i.test(path))
    return void vscode.window.showErrorMessage(
      `Tunesmith: ${basename(path)} is neither an evaluation report (.json) nor a predictions file (.jsonl).`,
    );
  if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage(UNTRUSTED);
  const python = await ensureTrainer();
  if (!python) return;
  let summary: EvaluationSummary;
  try {
    summary = await score(python, path);
  } catch (error) {
    // The trainer's own words (it names the line and the fields it saw), and a way on.
    const fields = await firstObjectFields(path).catch((): Field[] => []);
    if (fields.length < 2)
      return showFailure(host.output, error, { shownPrefix: 'Tunesmith could not score it:' });
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    host.output.warn(`score ${path}: ${message}`);
    const action = await vscode.window.showErrorMessage(
      `Tunesmith could not score ${basename(path)}: ${message}`,
      'Choose Columns…',
    );
    if (action !== 'Choose Columns…') return;
    const columns = await chooseColumns(basename(path), fields);
    if (!columns) return;
    summary = await score(python, path, columns);
  }
  // The trainer names the report as it named the input (absolute here); a relative name would be its
  // working directory's, which trainerJson makes the interpreter's folder.
  const written = summary.report ?? summary.output;
  if (typeof written !== 'string') throw new Error(`score printed no report path for ${path}.`);
  const report = resolve(dirname(python), written);
  const read = await host.store.get(report);
  if (read.ok) {
    const problems = problemsMessage(path, read.report);
    if (problems) {
      host.output.warn(
        `score ${path}: ${read.report.problems.map((p) => `${p.line ?? '-'}: ${p.message}`).join('\n')}`,
      );
      void vscode.window.showWarningMessage(problems);
    }
  }
  host.show(report);
}

async function ask(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open Evaluation',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Evaluation reports and predictions': ['json', 'jsonl'] },
  });
  return picked?.[0];
}

async function score(python: string, path: string, columns?: ColumnMapping): Promise<EvaluationSummary> {
  return await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Scoring ${basename(path)}…` },
    () => trainerJson<EvaluationSummary>(python, scoreArgs(path, columns)),
  );
}

const NONE = '(none)';

/** One quick pick per role, in the order the trainer needs them; Escape on any cancels. */
async function chooseColumns(name: string, fields: Field[]): Promise<ColumnMapping | undefined> {
  const pickField = async (title: string, optional: boolean, skip: string[]): Promise<string | undefined> => {
    const items: vscode.QuickPickItem[] = fields
      .filter((field) => !skip.includes(field.name))
      .map((field) => ({ label: field.name, description: field.sample }));
    if (optional) items.unshift({ label: NONE, description: 'no such field' });
    const picked = await vscode.window.showQuickPick(items, {
      title: `${name}: ${title}`,
      ignoreFocusOut: true,
    });
    return picked?.label;
  };
  const reference = await pickField('which field holds the reference (the expected answer)?', false, []);
  if (reference === undefined) return undefined;
  const tuned = await pickField("which field holds the model's output (the tuned model)?", false, [
    reference,
  ]);
  if (tuned === undefined) return undefined;
  const base = await pickField('which field holds the base model output, to compare with?', true, [
    reference,
    tuned,
  ]);
  if (base === undefined) return undefined;
  const prompt = await pickField('which field holds the prompt?', true, [reference, tuned, base]);
  if (prompt === undefined) return undefined;
  return {
    reference,
    tuned,
    ...(base === NONE ? {} : { base }),
    ...(prompt === NONE ? {} : { prompt }),
  };
}
