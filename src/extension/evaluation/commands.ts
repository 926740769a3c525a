/**
 * The evaluation panel's commands, called by other parts of the extension (the run panel, the runs
 * view, the editor's inline results): `tunesmith.evaluation.show` (a report's absolute path) and
 * `tunesmith.evaluation.compareInDiff`; the panels' serializer and the diff editor's documents; the
 * inline results in held-out files and their commands (inline.ts).
 */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { isEvaluationPanelState, isReportPath } from '../../shared/evaluation-protocol.ts';
import { showFailure } from '../failure.ts';
import { openEvaluation } from './open-command.ts';
import { compareInDiff, EvaluationTexts, SCHEME } from './documents.ts';
import { InlineResults } from './inline.ts';
import { EvaluationPanel, type EvaluationHost } from './panel.ts';
import type { ReportStore } from './reports.ts';

export function registerEvaluation(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  store: ReportStore,
): vscode.Disposable[] {
  const host: EvaluationHost = { store, output };
  // Inline results in held-out files; they also follow every report the panel opens.
  const inline = new InlineResults(host, extension.workspaceState);
  const show = (arg: unknown): void => {
    const path = arg instanceof vscode.Uri ? arg.fsPath : arg;
    if (!isReportPath(path)) {
      void vscode.window.showErrorMessage(
        'Tunesmith: "Show Evaluation" needs the absolute path of a report .json file.',
      );
      return;
    }
    // One panel per file, however its path was spelled.
    EvaluationPanel.show(extension.extensionUri, resolve(path), host);
    inline.track(resolve(path));
  };
  return [
    vscode.commands.registerCommand('tunesmith.evaluation.show', show),
    // "Open Evaluation…" on a report or a predictions file (open-command.ts).
    vscode.commands.registerCommand('tunesmith.evaluation.open', (arg: unknown) =>
      openEvaluation(arg, { ...host, show }).catch((error: unknown) =>
        showFailure(output, error, { shownPrefix: 'Tunesmith could not open the evaluation:' }),
      ),
    ),
    vscode.commands.registerCommand('tunesmith.evaluation.compareInDiff', (args: unknown) =>
      compareInDiff(args, host.store),
    ),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, new EvaluationTexts(host.store)),
    vscode.window.registerWebviewPanelSerializer(EvaluationPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        EvaluationPanel.revive(panel, extension.extensionUri, state, host);
        if (isEvaluationPanelState(state)) inline.track(state.path);
      },
    }),
    ...inline.register(),
  ];
}
