/**
 * The compare panel: train and eval loss of two or more runs on one chart. One panel, replaced by
 * each Compare; it follows the runs (a running one keeps adding points) through the run history.
 * The page saves the run ids, so a window reload brings the panel back (`revive`).
 */
import * as vscode from 'vscode';
import { loadPage } from '../webview.ts';
import {
  isComparePanelMessage,
  isComparePanelState,
  type CompareHostMessage,
} from '../../shared/webview-protocol.ts';
import { compareRun } from './history-model.ts';
import type { RunHistory } from './history.ts';
import { comparePanelHtml } from './panel-html.ts';
import type { RunsHost } from './run-panel.ts';

export class ComparePanel {
  static readonly viewType = 'tunesmith.compare';
  private static current: ComparePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private lastSent = '';

  static show(
    extensionUri: vscode.Uri,
    history: RunHistory,
    ids: string[],
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
    ComparePanel.current = new ComparePanel(panel, extensionUri, history, ids, output);
  }

  /**
   * After a reload: the state is what the page saved, so it is checked like any message; runs deleted
   * since are dropped, and with none left the panel closes.
   */
  static async revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: unknown,
    history: RunHistory,
    host: RunsHost,
  ): Promise<void> {
    const ids = isComparePanelState(state) ? state.runIds : [];
    const found = await Promise.all(ids.map(async (id) => ((await host.runDir(id)) ? [id] : [])));
    if (found.flat().length === 0) return void panel.dispose();
    ComparePanel.current?.dispose();
    ComparePanel.current = new ComparePanel(panel, extensionUri, history, found.flat(), host.output);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly history: RunHistory,
    /** Run ids: the history finds a run by id in any workspace folder. */
    private readonly ids: string[],
    output: vscode.LogOutputChannel,
  ) {
    loadPage(panel, extensionUri, 'compare', comparePanelHtml);
    const webview = panel.webview;
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
    const runs = this.ids.flatMap((id) => {
      const run = this.history.find(id);
      return run ? [compareRun(run, this.history.events(run.dir))] : [];
    });
    const message: CompareHostMessage = { type: 'runs', runs, ids: this.ids };
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
