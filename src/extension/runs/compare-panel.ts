/**
 * The compare panel: train and eval loss of two or more runs on one chart. One panel, replaced by
 * each Compare; it follows the runs (a running one keeps adding points) through the run history.
 */
import * as vscode from 'vscode';
import { isComparePanelMessage, type CompareHostMessage } from '../../shared/webview-protocol.ts';
import { compareRun } from './history-model.ts';
import type { RunHistory } from './history.ts';
import { comparePanelHtml } from './panel-html.ts';

export class ComparePanel {
  static readonly viewType = 'tunesmith.compare';
  private static current: ComparePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private lastSent = '';

  static show(
    extensionUri: vscode.Uri,
    history: RunHistory,
    dirs: string[],
    output: vscode.LogOutputChannel,
  ): void {
    ComparePanel.current?.dispose();
    const panel = vscode.window.createWebviewPanel(
      ComparePanel.viewType,
      'Compare Runs',
      vscode.ViewColumn.Active,
      {
        retainContextWhenHidden: false,
      },
    );
    ComparePanel.current = new ComparePanel(panel, extensionUri, history, dirs, output);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly history: RunHistory,
    private readonly dirs: string[],
    output: vscode.LogOutputChannel,
  ) {
    const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [bundle] };
    webview.html = comparePanelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'compare.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'compare.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => {
        if (!isComparePanelMessage(message))
          return output.warn('compare panel: ignored a message of unknown shape');
        this.lastSent = '';
        this.send();
      }),
      history.onDidChangeTreeData(() => this.send()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private send(): void {
    const runs = this.dirs.flatMap((dir) => {
      const run = this.history.find(dir);
      return run ? [compareRun(run, this.history.events(dir))] : [];
    });
    const message: CompareHostMessage = { type: 'runs', runs };
    // Points are only ever appended (or a run replaced on resume), so counts tell whether anything changed.
    const key = runs.map((run) => `${run.id}:${run.train.steps.length}:${run.eval.steps.length}`).join();
    if (key === this.lastSent) return;
    this.lastSent = key;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (ComparePanel.current === this) ComparePanel.current = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
