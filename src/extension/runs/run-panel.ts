/**
 * One run panel per run (after vscode-extension-samples' webview-sample): `createOrShow` reveals the
 * run's panel or opens one, `revive` rebuilds it after a window reload from the state the page saved,
 * `dispose` stops following the run's files. The trainer itself is detached and lives on.
 */
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { isRunPanelMessage, isRunPanelState } from '../../shared/webview-protocol.ts';
import { runPanelHtml } from './panel-html.ts';
import { cancelEvaluation } from './evaluate.ts';
import { cancel } from './run.ts';
import { RunWatcher } from './watcher.ts';

export interface RunsHost {
  /** Why launching is not allowed here (an untrusted workspace), or undefined. */
  launchBlocked(): string | undefined;
  resume(dir: string): Promise<void>;
  /** Starts `evaluate` on a completed run (or one of its checkpoints), detached. */
  evaluate(dir: string, checkpoint?: string): Promise<void>;
  /** Shows the run directory (the OS file manager, or the Explorer). */
  reveal(dir: string): Promise<void>;
  /** The run directory of an id in any workspace folder, or undefined when there is no such run. */
  runDir(id: string): Promise<string | undefined>;
  output: vscode.LogOutputChannel;
}

export class RunPanel {
  static readonly viewType = 'tunesmith.run';
  private static readonly panels = new Map<string, RunPanel>();
  private readonly watcher: RunWatcher;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(extensionUri: vscode.Uri, id: string, dir: string, host: RunsHost): RunPanel {
    const existing = RunPanel.panels.get(id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RunPanel.viewType, `Run ${id}`, vscode.ViewColumn.Active, {
      retainContextWhenHidden: false,
    });
    return new RunPanel(panel, extensionUri, id, dir, host);
  }

  /** After a reload: the state is what the page saved, so it is checked like any message. */
  static async revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: unknown,
    host: RunsHost,
  ): Promise<void> {
    const dir = isRunPanelState(state) ? await host.runDir(state.runId) : undefined;
    if (!isRunPanelState(state) || dir === undefined) {
      panel.dispose();
      return;
    }
    new RunPanel(panel, extensionUri, state.runId, dir, host);
  }

  /** Closes the run's panel, if open (the run was deleted). */
  static close(id: string): void {
    RunPanel.panels.get(id)?.dispose();
  }

  /** Sends every panel its run's state again (workspace trust was granted). */
  static refreshAll(): void {
    for (const panel of RunPanel.panels.values()) void panel.watcher.refresh();
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly id: string,
    readonly dir: string,
    private readonly host: RunsHost,
  ) {
    loadPage(panel, extensionUri, 'run', runPanelHtml);
    const webview = panel.webview;
    this.watcher = new RunWatcher(
      id,
      dir,
      (message) => void webview.postMessage(message),
      () => host.launchBlocked(),
    ).start();
    RunPanel.panels.set(id, this);
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) =>
        this.receive(message).catch((error: unknown) => this.fail(error)),
      ),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async receive(message: unknown): Promise<void> {
    if (!isRunPanelMessage(message)) {
      this.host.output.warn(`run panel ${this.id}: ignored a message of unknown shape`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // A (re)loaded page starts from everything known so far.
        await this.watcher.poll();
        for (const snapshot of this.watcher.snapshot()) void this.panel.webview.postMessage(snapshot);
        return;
      case 'cancel':
        if (!(await cancel(this.dir)))
          void vscode.window.showInformationMessage(`Run ${this.id} is not running.`);
        return;
      case 'resume': {
        const blocked = this.host.launchBlocked();
        if (blocked) {
          void vscode.window.showWarningMessage(blocked);
          return;
        }
        await this.host.resume(this.dir);
        await this.watcher.refresh();
        return;
      }
      case 'evaluate': {
        const blocked = this.host.launchBlocked();
        if (blocked) {
          void vscode.window.showWarningMessage(blocked);
          return;
        }
        await this.host.evaluate(this.dir);
        await this.watcher.refresh();
        return;
      }
      case 'cancelEvaluation':
        if (!(await cancelEvaluation(this.dir)))
          void vscode.window.showInformationMessage(`No evaluation of run ${this.id} is running.`);
        await this.watcher.refresh();
        return;
      case 'openEvaluation': {
        // The page only asks; the path is the one the trainer reported, never one the page sent.
        await this.watcher.poll();
        const report = this.watcher.evaluationReport();
        if (report === undefined)
          return void vscode.window.showInformationMessage(
            `Run ${this.id} has no evaluation report yet: Evaluate it first.`,
          );
        await vscode.commands.executeCommand('tunesmith.evaluation.show', report);
        return;
      }
      case 'openFolder':
        await this.host.reveal(this.dir);
        return;
    }
  }

  /** A button whose action failed (Resume with no interpreter, say) says so, rather than nothing. */
  private fail(error: unknown): void {
    showFailure(this.host.output, error, { logPrefix: `run panel ${this.id}: ` });
  }

  dispose(): void {
    RunPanel.panels.delete(this.id);
    this.watcher.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
