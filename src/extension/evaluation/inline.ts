/**
 * Evaluation results inline in the held-out file: a CodeLens above each evaluated line (the result in
 * words), a hover with the reference and both outputs marked against it, "List Regressions" and
 * "Show Evaluation Results For This File…". The reports are those of every run's `evaluations/`
 * folder in each workspace folder, plus any opened in the evaluation panel, watched for changes (a
 * re-evaluation renames a new file into place); the newest that names a file is shown unless the user
 * chose another or none.
 *
 * A CodeLens rather than an end-of-line decoration: a JSONL line is often longer than the editor is
 * wide, so text after it would be out of sight, while a lens sits at the line's start, is clickable
 * (it opens the evaluation panel) and follows the user's own `editor.codeLens` setting.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../../shared/evaluation-report.ts';
import {
  METRIC_LABELS,
  METRIC_SHORT,
  exampleDelta,
  formatDelta,
  formatMetric,
  promptLine,
  regressionsByLoss,
} from '../../shared/evaluation-view.ts';
import {
  LineHashes,
  lensWindow,
  placeResults,
  windowStale,
  type LineSpan,
  type Placed,
  type PlacedResult,
} from './inline-model.ts';
import { HOVER_COMMANDS, STALE, hoverMarkdown, lensTitle } from './inline-text.ts';
import type { EvaluationHost } from './panel.ts';
import { exampleAt, workspaceReportPaths, type ReportSummary } from './reports.ts';

/** `tunesmith.evaluation.inlineResults`: the lenses and hovers, on or off. */
const SETTING = 'tunesmith.evaluation.inlineResults';
/** The report chosen per held-out file (its path, or OFF), kept with the workspace. */
const CHOICES_KEY = 'tunesmith.evaluation.inlineChoices';
const OFF = 'off';
/** Where a run's reports are, relative to a workspace folder. */
const REPORTS_GLOB = '.tunesmith/runs/*/evaluations/*.json';

interface View {
  key: string;
  path: string;
  summary: ReportSummary;
  placed: Placed;
}

/** Quick-pick text from untrusted text: `$(name)` would draw an icon. */
const pickText = (text: string, max = 200): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return (line.length > max ? `${line.slice(0, max - 1)}…` : line).replace(/\$\(/g, '$\u200b(');
};

const runName = (summary: ReportSummary): string =>
  summary.run ? (summary.run.dir.split(/[\\/]/).at(-1) ?? summary.run.dir) : basename(summary.path);

/** Newest first by `created`, then by path, so the default does not depend on the order of discovery. */
const newestFirst = (a: ReportSummary, b: ReportSummary): number =>
  (Date.parse(b.created) || 0) - (Date.parse(a.created) || 0) || a.path.localeCompare(b.path);

const spans = (ranges: readonly vscode.Range[]): LineSpan[] =>
  ranges.map((range) => ({ start: range.start.line, end: range.end.line }));

export class InlineResults implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Every report known, by path. */
  private readonly known = new Map<string, ReportSummary>();
  /** Reports opened in the panel (not in a run's folder, or not yet scanned), with their watchers. */
  private readonly opened = new Map<string, vscode.Disposable>();
  private scanning: Promise<void> | undefined;
  private readonly views = new Map<string, View>();
  private readonly hashes = new Map<string, LineHashes>();
  /** The lines whose lenses were last given, by document: scrolling past them asks again. */
  private readonly windows = new Map<string, LineSpan>();
  private readonly disposables: vscode.Disposable[] = [];
  private folderWatchers: vscode.Disposable[] = [];

  constructor(
    private readonly host: EvaluationHost,
    private readonly memento: vscode.Memento,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SETTING)) this.changed.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescan()),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.views.delete(document.uri.toString());
        this.hashes.delete(document.uri.toString());
        this.windows.delete(document.uri.toString());
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor, visibleRanges }) => {
        const document = textEditor.document;
        const provided = this.windows.get(document.uri.toString());
        if (provided && windowStale(provided, spans(visibleRanges), document.lineCount)) this.changed.fire();
      }),
    );
    this.watchFolders();
  }

  /** Commands and providers, for the extension's subscriptions. */
  register(): vscode.Disposable[] {
    // Listed (and each report's lines indexed) now, so that opening a held-out file costs a stat.
    void this.ready();
    const selector: vscode.DocumentSelector = { scheme: 'file' };
    return [
      this,
      vscode.languages.registerCodeLensProvider(selector, this),
      vscode.languages.registerHoverProvider(selector, this),
      vscode.commands.registerCommand('tunesmith.evaluation.listRegressions', () => this.listRegressions()),
      vscode.commands.registerCommand('tunesmith.evaluation.chooseForFile', () => this.chooseForFile()),
    ];
  }

  /** A report shown in the evaluation panel: its results show inline too, and it is watched. */
  track(path: string): void {
    if (this.opened.has(path)) return;
    // Its folder and name: a rename into place is a create or change of that name.
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(vscode.Uri.file(path), '..'), basename(path)),
    );
    const refresh = () => void this.refresh(path);
    watcher.onDidCreate(refresh);
    watcher.onDidChange(refresh);
    watcher.onDidDelete(refresh);
    this.opened.set(path, watcher);
    void this.refresh(path);
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration().get<boolean>(SETTING, true);
  }

  private roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === 'file')
      .map((folder) => folder.uri.fsPath);
  }

  private watchFolders(): void {
    for (const watcher of this.folderWatchers.splice(0)) watcher.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(folder, REPORTS_GLOB),
      );
      const refresh = (uri: vscode.Uri) => void this.refresh(uri.fsPath);
      watcher.onDidCreate(refresh);
      watcher.onDidChange(refresh);
      watcher.onDidDelete(refresh);
      this.folderWatchers.push(watcher);
    }
  }

  private rescan(): void {
    this.watchFolders();
    this.scanning = undefined;
    this.changed.fire();
  }

  /** The workspace's reports, listed once (then kept up to date by the watchers). */
  private ready(): Promise<void> {
    this.scanning ??= (async () => {
      const paths = await workspaceReportPaths(this.roots());
      for (const path of this.known.keys())
        if (!paths.includes(path) && !this.opened.has(path)) this.known.delete(path);
      for (const path of paths) await this.refresh(path, false);
    })().catch((error: unknown) => this.host.output.warn(`inline evaluation results: ${String(error)}`));
    return this.scanning;
  }

  private async refresh(path: string, fire = true): Promise<void> {
    const summary = await this.host.store.summary(path);
    const before = this.known.get(path);
    if (summary) this.known.set(path, summary);
    else this.known.delete(path);
    if (fire && before?.stamp !== summary?.stamp) this.changed.fire();
  }

  private choices(): Record<string, string> {
    return this.memento.get<Record<string, string>>(CHOICES_KEY, {});
  }

  /** The reports that name `file` as the file of their lines, newest first. */
  private candidates(file: string): ReportSummary[] {
    return [...this.known.values()].filter((summary) => summary.lineFile === file).sort(newestFirst);
  }

  /** The report shown on `file`: the one chosen, else the newest; undefined when off or none. */
  private reportFor(file: string): string | undefined {
    const choice = this.choices()[file];
    if (choice === OFF) return undefined;
    if (choice !== undefined && this.known.get(choice)?.lineFile === file) return choice;
    return this.candidates(file)[0]?.path;
  }

  /** The document's results, placed once per version of the document and of the report. */
  private async view(document: vscode.TextDocument): Promise<View | undefined> {
    if (document.uri.scheme !== 'file' || !this.enabled()) return undefined;
    await this.ready();
    const path = this.reportFor(document.uri.fsPath);
    if (path === undefined) return undefined;
    // A stat, and a read only when the report changed: its lines are indexed in its summary.
    const summary = await this.host.store.summary(path);
    if (!summary) {
      void this.refresh(path);
      return undefined;
    }
    const id = document.uri.toString();
    const key = `${document.version}|${path}|${summary.stamp}`;
    const cached = this.views.get(id);
    if (cached?.key === key) return cached;
    let hashes = this.hashes.get(id);
    if (!hashes) {
      hashes = new LineHashes();
      this.hashes.set(id, hashes);
    }
    const placed = placeResults(
      summary.lines,
      { count: document.lineCount, text: (line) => document.lineAt(line).text },
      hashes,
    );
    const view: View = { key, path, summary, placed };
    this.views.set(id, view);
    return view;
  }

  /** The whole report a view was placed from (its texts), or undefined when it changed or went since. */
  private async fullReport(view: View): Promise<EvaluationReport | undefined> {
    const result = await this.host.store.get(view.path);
    if (!result.ok) {
      this.host.output.warn(`inline evaluation results: ${result.problem}`);
      return undefined;
    }
    return result.stamp === view.summary.stamp ? result.report : undefined;
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    // Wall-clock times in the log: bench:inline --editor lines them up with the page's (docs/benchmarks.md).
    const asked = Date.now();
    const started = performance.now();
    const view = await this.view(document);
    if (!view) return [];
    // Only near what is shown (see LENS_MARGIN): every editor on the document, or its start before one is.
    const visible = vscode.window.visibleTextEditors
      .filter((editor) => editor.document === document)
      .flatMap((editor) => spans(editor.visibleRanges));
    const span = lensWindow(visible, document.lineCount);
    this.windows.set(document.uri.toString(), span);
    const lenses: vscode.CodeLens[] = [];
    for (let line = span.start; line <= span.end; line += 1) {
      const results = view.placed.byLine.get(line);
      if (!results) continue;
      const range = new vscode.Range(line, 0, line, 0);
      for (const placed of results)
        lenses.push(
          new vscode.CodeLens(range, {
            title: lensTitle(view.summary.lines, placed),
            tooltip: 'Open this evaluation in the Evaluation panel',
            command: 'tunesmith.evaluation.show',
            arguments: [view.path],
          }),
        );
    }
    this.host.output.debug(
      `inline evaluation results: ${lenses.length} lenses (lines ${span.start + 1}–${span.end + 1}) on ${basename(document.uri.fsPath)} in ${(performance.now() - started).toFixed(1)} ms (asked at ${asked}, done at ${Date.now()})`,
    );
    return lenses;
  }

  async provideHover(
    document: vscode.TextDocument,
    position: vscode.Position,
  ): Promise<vscode.Hover | undefined> {
    const view = await this.view(document);
    const results = view?.placed.byLine.get(position.line);
    if (!view || !results) return undefined;
    const report = await this.fullReport(view);
    if (!report) return undefined;
    const contents: vscode.MarkdownString[] = [];
    for (const placed of results) {
      const example = exampleAt(report, placed.example.index);
      if (!example) continue;
      const markdown = new vscode.MarkdownString(hoverMarkdown(view.path, report, example, placed));
      markdown.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
      markdown.supportHtml = false;
      markdown.supportThemeIcons = false;
      contents.push(markdown);
    }
    return new vscode.Hover(contents, document.lineAt(position.line).range);
  }

  /** "Show Evaluation Results For This File…": which report, or none. */
  private async chooseForFile(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme !== 'file')
      return void vscode.window.showInformationMessage('Tunesmith: open a held-out file first.');
    await this.ready();
    const file = document.uri.fsPath;
    const candidates = this.candidates(file);
    if (candidates.length === 0)
      return void vscode.window.showInformationMessage(
        `Tunesmith: no evaluation report in this workspace names ${basename(file)} as its held-out file.`,
      );
    const shown = this.reportFor(file);
    type Item = vscode.QuickPickItem & { path: string };
    const items: Item[] = candidates.map((summary, i) => ({
      label: `${shown === summary.path ? '$(check) ' : ''}${pickText(runName(summary))} · ${pickText(summary.id)}`,
      description: [i === 0 ? 'newest' : '', summary.created].filter(Boolean).join(' · '),
      detail: this.summaryDetail(summary),
      path: summary.path,
    }));
    items.push({
      label: `${shown === undefined ? '$(check) ' : ''}Off`,
      description: 'no inline results on this file',
      path: OFF,
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Evaluation results on ${basename(file)}`,
      placeHolder: 'Which evaluation to show on the lines of this file',
    });
    if (!picked) return;
    await this.memento.update(CHOICES_KEY, { ...this.choices(), [file]: picked.path });
    this.changed.fire();
  }

  private summaryDetail(summary: ReportSummary): string {
    const metric = summary.primary;
    const tuned = formatMetric(metric, summary.metrics.tuned[metric]);
    const score = summary.metrics.base
      ? `${formatMetric(metric, summary.metrics.base[metric])} → ${tuned}`
      : tuned;
    return `${summary.examples} examples · ${METRIC_LABELS[metric]} ${score} · ${summary.regressed} regressed`;
  }

  /** "List Regressions": the regressed examples, the largest loss first; picking one opens its line. */
  private async listRegressions(): Promise<void> {
    await this.ready();
    const target = await this.regressionTarget();
    if (!target) return;
    const { document, view } = target;
    const report = await this.fullReport(view);
    if (!report) return;
    const regressions = regressionsByLoss(report);
    if (regressions.length === 0)
      return void vscode.window.showInformationMessage(
        `Tunesmith: no example regressed in ${report.id} (${METRIC_LABELS[report.primary]}).`,
      );
    const placedByIndex = new Map(view.placed.results.map((placed) => [placed.example.index, placed]));
    type Item = vscode.QuickPickItem & { placed: PlacedResult | undefined };
    const items: Item[] = regressions.map((example) => {
      const placed = placedByIndex.get(example.index);
      const where =
        placed?.line === undefined
          ? 'no line'
          : `line ${placed.line + 1}${placed.state === 'stale' ? ` (${STALE})` : placed.state === 'moved' ? ' (moved)' : ''}`;
      return {
        label: `${formatDelta(report.primary, exampleDelta(example, report.primary))} ${METRIC_SHORT[report.primary]} · ${where}`,
        description: pickText(promptLine(example), 120),
        detail: `tuned: ${pickText(example.outputs.tuned)}`,
        placed,
      };
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Regressions in ${report.id} (${regressions.length}, largest loss first)`,
      placeHolder: 'Go to the held-out line',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    const line = picked.placed?.line;
    if (line === undefined)
      return void vscode.window.showWarningMessage(
        `Tunesmith: that example's line is no longer in ${basename(document.uri.fsPath)}.`,
      );
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(line, 0, line, 0),
      preview: false,
    });
  }

  /** The report of the active held-out file, else one the user picks among the workspace's. */
  private async regressionTarget(): Promise<{ document: vscode.TextDocument; view: View } | undefined> {
    const active = vscode.window.activeTextEditor?.document;
    const view = active && (await this.view(active));
    if (active && view) return { document: active, view };
    if (!this.enabled())
      return void vscode.window.showInformationMessage(`Tunesmith: inline results are off (${SETTING}).`);
    const files = new Map<string, ReportSummary>();
    for (const summary of [...this.known.values()].sort(newestFirst))
      if (summary.lineFile !== undefined && !files.has(summary.lineFile))
        files.set(summary.lineFile, summary);
    const entries = [...files.entries()].filter(([file]) => this.reportFor(file) !== undefined);
    if (entries.length === 0)
      return void vscode.window.showInformationMessage('Tunesmith: no evaluation report in this workspace.');
    const items = entries.map(([file]) => {
      const summary = this.known.get(this.reportFor(file)!)!;
      return {
        label: basename(file),
        description: `${runName(summary)} · ${summary.id}`,
        detail: this.summaryDetail(summary),
        file,
      };
    });
    const picked =
      items.length === 1
        ? items[0]
        : await vscode.window.showQuickPick(items, { title: 'Regressions of which held-out file?' });
    if (!picked) return undefined;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(picked.file));
    const opened = await this.view(document);
    return opened && { document, view: opened };
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    for (const watcher of this.folderWatchers.splice(0)) watcher.dispose();
    for (const watcher of this.opened.values()) watcher.dispose();
    this.opened.clear();
  }
}
