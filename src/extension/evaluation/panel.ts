/**
 * One evaluation panel per report file (after vscode-extension-samples' webview-sample): `show`
 * reveals the report's panel or opens one, `revive` rebuilds it after a window reload from the state
 * the page saved, `dispose` stops following the file. The file is polled (a stat a second, as the run
 * panel follows its run): a re-evaluation renames a new report into place and the panel reloads.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import {
  isEvaluationPanelMessage,
  isEvaluationPanelState,
  type EvaluationHostMessage,
  type EvaluationPanelMessage,
  type OtherReport,
} from '../../shared/evaluation-protocol.ts';
import type { EvaluationReport } from '../../shared/evaluation-report.ts';
import { exportReport } from './export-command.ts';
import { LineHashes, ReportLines, placeResults } from './inline-model.ts';
import { evaluationPanelHtml } from './page.ts';
import { exampleAt, lineFile, OtherReports, withoutTokens, type ReportStore } from './reports.ts';
import { evaluationModel, PanelSemantics } from './semantic.ts';
import { askedPrompt, outputSimilarities, runTrainingFile } from './semantic-model.ts';

export interface EvaluationHost {
  store: ReportStore;
  output: vscode.LogOutputChannel;
}

/** How often the report file is checked for a new version. */
const POLL_MS = 1000;
/** Training examples shown near a regressed one. */
const NEAREST = 5;
/** Progress messages at most this often: a 10,000-line file must not flood the page. */
const PROGRESS_MS = 200;

function throttled(post: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && done > 0 && now - last < PROGRESS_MS) return;
    last = now;
    post(done, total);
  };
}

/** "Evaluation tiny-1 · final": the run's folder and the report's id. */
function title(path: string, report?: EvaluationReport): string {
  const id = report?.id ?? basename(path, '.json');
  const run = report?.run
    ? basename(report.run.dir)
    : basename(dirname(path)) === 'evaluations'
      ? basename(dirname(dirname(path)))
      : '';
  return run ? `Evaluation ${run} · ${id}` : `Evaluation ${id}`;
}

export class EvaluationPanel {
  static readonly viewType = 'tunesmith.evaluation';
  private static readonly panels = new Map<string, EvaluationPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly others: OtherReports;
  private stamp: string | undefined;
  private lastOthers: OtherReport[] = [];
  private lastOthersKey = '';
  private polling: Promise<void> | undefined;
  /** Made on the first semantic figure; a string: no model, and how to get one. */
  private semantics: PanelSemantics | string | undefined;
  /** The training file chosen for a report without a run. */
  private chosenTraining: string | undefined;
  /** The training file of the last `nearest` answer: what `openTraining` opens. */
  private shownTraining: string | undefined;
  private disposed = false;

  static show(extensionUri: vscode.Uri, path: string, host: EvaluationHost): EvaluationPanel {
    const existing = EvaluationPanel.panels.get(path);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      EvaluationPanel.viewType,
      title(path),
      vscode.ViewColumn.Active,
      {
        retainContextWhenHidden: false,
      },
    );
    return new EvaluationPanel(panel, extensionUri, path, host);
  }

  /** After a reload: the state is what the page saved, so it is checked like any message. */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    state: unknown,
    host: EvaluationHost,
  ): void {
    if (!isEvaluationPanelState(state)) return void panel.dispose();
    const existing = EvaluationPanel.panels.get(state.path);
    if (existing) return void panel.dispose();
    new EvaluationPanel(panel, extensionUri, state.path, host);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly path: string,
    private readonly host: EvaluationHost,
  ) {
    this.others = new OtherReports(host.store);
    loadPage(panel, extensionUri, 'evaluation', evaluationPanelHtml);
    EvaluationPanel.panels.set(path, this);
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) =>
        this.receive(message).catch((error: unknown) =>
          showFailure(host.output, error, { logPrefix: `evaluation panel ${path}: ` }),
        ),
      ),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(message: EvaluationHostMessage): void {
    // The semantic figures arrive late: the panel may have been closed meanwhile.
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  /** The report (or why it cannot be shown), and the other reports of its folder. */
  private async send(): Promise<void> {
    const result = await this.host.store.get(this.path);
    if (!result.ok) {
      this.stamp = undefined;
      this.post({ type: 'problem', path: this.path, message: result.problem });
      return;
    }
    this.stamp = result.stamp;
    this.panel.title = title(this.path, result.report);
    const { report, tokens } = withoutTokens(result.report);
    this.post({ type: 'report', path: this.path, report, tokens });
    this.lastOthersKey = '';
    await this.sendOthers();
    // After the report is on its way: the page shows it meanwhile, and the scores join it.
    void this.sendSimilarities(result.report, result.stamp);
  }

  /** The panel's embeddings, or how to get the model (looked for again on each report: it may be set up since). */
  private semanticsOrInfo(): PanelSemantics | string {
    if (typeof this.semantics !== 'object') {
      const found = evaluationModel();
      if (!found.ok) return (this.semantics = found.info);
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.path));
      this.semantics = new PanelSemantics(found.files, folder?.uri.fsPath ?? dirname(this.path));
    }
    return this.semantics;
  }

  private async sendSimilarities(report: EvaluationReport, stamp: string): Promise<void> {
    const semantics = this.semanticsOrInfo();
    if (typeof semantics === 'string') return this.post({ type: 'semantic', state: 'off', info: semantics });
    try {
      const progress = throttled((done, total) =>
        this.post({ type: 'semantic', state: 'working', done, total }),
      );
      const result = await outputSimilarities(report, semantics.embed, progress);
      // A newer version of the report arrived meanwhile: its own pass sends its scores.
      if (stamp !== this.stamp) return;
      this.post({ type: 'semantic', state: 'ready', model: semantics.model, ...result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.host.output.warn(`evaluation panel ${this.path}: semantic scores: ${message}`);
      this.post({ type: 'semantic', state: 'failed', message });
    }
  }

  /** The training examples nearest example `index`'s prompt, from the run's training file (or one chosen). */
  private async sendNearest(report: EvaluationReport, index: number): Promise<void> {
    const example = exampleAt(report, index);
    if (!example) return;
    const semantics = this.semanticsOrInfo();
    if (typeof semantics === 'string')
      return this.post({ type: 'nearest', index, state: 'off', info: semantics });
    const file = this.chosenTraining ?? (await runTrainingFile(this.path, report));
    if (!file) return this.post({ type: 'nearest', index, state: 'choose' });
    try {
      const progress = throttled((done, total) =>
        this.post({ type: 'nearest', index, state: 'working', done, total }),
      );
      const training = await semantics.trainingIndex(file, progress);
      const [query] = await semantics.embed([askedPrompt(example)]);
      this.shownTraining = file;
      this.post({
        type: 'nearest',
        index,
        state: 'ready',
        file,
        model: semantics.model,
        neighbours: training.nearest(query!, NEAREST),
      });
    } catch (error) {
      const message = `The training file ${file} could not be searched: ${error instanceof Error ? error.message : String(error)}`;
      this.post({ type: 'nearest', index, state: 'failed', message });
    }
  }

  private async chooseTraining(report: EvaluationReport, index: number): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'The training file to search for examples near this one',
      canSelectMany: false,
      filters: { 'JSON Lines': ['jsonl', 'json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.[0]) return;
    this.chosenTraining = picked[0].fsPath;
    await this.sendNearest(report, index);
  }

  private async openTraining(line: number): Promise<void> {
    const file = this.shownTraining;
    if (!file) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const at = Math.min(line - 1, document.lineCount - 1);
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(at, 0, at, 0),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  }

  private async sendOthers(): Promise<void> {
    const others = await this.others.list(this.path);
    const key = JSON.stringify(others);
    if (key === this.lastOthersKey) return;
    this.lastOthersKey = key;
    this.lastOthers = others;
    this.post({ type: 'others', reports: others });
  }

  /** One poll at a time: a slow read of a large report must not interleave with the next tick. */
  private poll(): Promise<void> {
    this.polling ??= (async () => {
      const result = await this.host.store.get(this.path);
      const stamp = result.ok ? result.stamp : undefined;
      if (stamp !== this.stamp || (!result.ok && this.stamp !== undefined)) await this.send();
      else await this.sendOthers();
    })()
      .catch((error: unknown) => this.host.output.warn(`evaluation panel ${this.path}: ${String(error)}`))
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async receive(message: unknown): Promise<void> {
    if (!isEvaluationPanelMessage(message)) {
      this.host.output.warn(`evaluation panel ${this.path}: ignored a message of unknown shape`);
      return;
    }
    if (message.type === 'ready') return this.send();
    if (message.type === 'openTraining') return this.openTraining(message.line);
    if (message.type === 'openReport') {
      // Only a report this panel listed: the page names it, the host decides.
      if (!this.lastOthers.some((other) => other.path === message.path)) {
        this.host.output.warn(`evaluation panel ${this.path}: ignored a request to open an unlisted report`);
        return;
      }
      await vscode.commands.executeCommand('tunesmith.evaluation.show', message.path);
      return;
    }
    const result = await this.host.store.get(this.path);
    if (!result.ok) return void vscode.window.showWarningMessage(result.problem);
    await this.act(message, result.report);
  }

  private async act(
    message: Exclude<EvaluationPanelMessage, { type: 'ready' | 'openReport' | 'openTraining' }>,
    report: EvaluationReport,
  ): Promise<void> {
    switch (message.type) {
      case 'tokens': {
        const example = exampleAt(report, message.index);
        this.post({ type: 'tokens', index: message.index, tokens: example?.tokens ?? null });
        return;
      }
      case 'openHeldout':
        return this.openLine(report, message.index);
      case 'compareInDiff':
        await vscode.commands.executeCommand('tunesmith.evaluation.compareInDiff', {
          report: this.path,
          index: message.index,
          left: message.left,
          right: message.right,
        });
        return;
      case 'export':
        return exportReport(this.path, report, message.format);
      case 'nearest':
        return this.sendNearest(report, message.index);
      case 'chooseTraining':
        return this.chooseTraining(report, message.index);
    }
  }

  /**
   * Opens the example's line beside the panel: where the inline results place it (placeResults: its
   * line, or where its text moved to), and says so when it changed since the evaluation.
   */
  private async openLine(report: EvaluationReport, index: number): Promise<void> {
    const example = exampleAt(report, index);
    const file = lineFile(this.path, report);
    if (!example || example.line === undefined || file === undefined)
      return void vscode.window.showInformationMessage(`Example #${index} names no line of a held-out file.`);
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    } catch (error) {
      void vscode.window.showErrorMessage(
        `The held-out file ${file} could not be opened (moved or deleted since the evaluation?): ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const lines = new ReportLines({ ...report, examples: [example] });
    const placed = placeResults(
      lines,
      { count: document.lineCount, text: (line) => document.lineAt(line).text },
      new LineHashes(),
    ).results[0]!;
    const line = placed.line ?? Math.min(placed.evaluatedLine, document.lineCount - 1);
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(line, 0, line, 0),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
    const name = basename(file);
    if (placed.state === 'moved')
      void vscode.window.showInformationMessage(
        `Example #${index} was evaluated on line ${example.line} of ${name}; its text is now on line ${line + 1}.`,
      );
    else if (placed.state === 'stale')
      void vscode.window.showWarningMessage(
        placed.evaluatedLine >= document.lineCount
          ? `${name} has no line ${example.line} any more: it changed since the evaluation.`
          : `Line ${example.line} of ${name} changed since the evaluation: the results are for its old text.`,
      );
  }

  dispose(): void {
    this.disposed = true;
    EvaluationPanel.panels.delete(this.path);
    clearInterval(this.timer);
    if (typeof this.semantics === 'object') this.semantics.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.host.store.forget(this.path);
    this.panel.dispose();
  }
}
