/**
 * The run history: every run under each workspace folder's `.tunesmith/runs/`, kept current by
 * polling (runs may be started from a terminal or another window, which no event of ours reports).
 * Running runs are polled every tick, ended ones every few ticks (a resume from elsewhere), and new
 * directories are found by listing the runs folders. One RunWatcher per run parses its events.
 * It feeds the "Training Runs" tree, the status bar item and the end-of-run notifications.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrainerEvent } from '../../shared/trainer-events.ts';
import {
  evaluationItem,
  mergeRuns,
  summarize,
  statusModel,
  treeItem,
  Transitions,
  withConfig,
  type RunSummary,
} from './history-model.ts';
import { RUNS_DIR, discoverRuns, readRunConfig } from './run.ts';
import type { OtherReport } from '../../shared/evaluation-protocol.ts';
import { OtherReports, type ReportStore } from '../evaluation/reports.ts';
import { POLL_MS, RunWatcher } from './watcher.ts';

/** The run panel's own interval, so the status bar item and the tree do not lag behind an open panel. */
const TICK_MS = POLL_MS;
/** Ended runs are re-read about every 5 s (a resume started elsewhere). */
const ENDED_EVERY = Math.round(5000 / TICK_MS);

interface Tracked {
  watcher: RunWatcher;
  config: unknown;
  evaluations?: OtherReport[];
}

/** A run's evaluation report, a child of the run's row: it opens the evaluation panel. */
interface EvaluationNode {
  run: RunSummary;
  report: OtherReport;
}
export type HistoryNode = RunSummary | EvaluationNode;
export const isEvaluationNode = (node: unknown): node is EvaluationNode =>
  typeof node === 'object' && node !== null && 'report' in node && 'run' in node;

export class RunHistory implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  runs: RunSummary[] = [];
  private readonly tracked = new Map<string, Tracked>();
  private readonly changed = new vscode.EventEmitter<RunSummary[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly ended = new vscode.EventEmitter<RunSummary[]>();
  /** Runs seen running in this window that have ended since the last refresh. */
  readonly onDidEnd = this.ended.event;
  private readonly status = vscode.window.createStatusBarItem(
    'tunesmith.runs',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly transitions = new Transitions();
  /** Each report read once per version of its file (the store the evaluation panel and inline results share). */
  private readonly reports: OtherReports;
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    store: ReportStore,
  ) {
    this.reports = new OtherReports(store);
    this.status.name = 'Tunesmith Training Run';
  }

  start(): this {
    const tick = (all: boolean) =>
      this.refresh(all).catch((error: unknown) => this.output.error(`run history: ${String(error)}`));
    void tick(true);
    this.timer ??= setInterval(() => void tick((this.ticks += 1) % ENDED_EVERY === 0), TICK_MS);
    return this;
  }

  /**
   * One refresh at a time; `all` re-reads ended runs too (a launch from here asks for it, and must not
   * be answered by a tick's refresh of the running runs only: it queues one more).
   */
  refresh(all = true): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.read(all).finally(() => (this.refreshing = undefined));
      return this.refreshing;
    }
    if (!all) return this.refreshing;
    this.queued ??= this.refreshing.then(() => {
      this.queued = undefined;
      return this.refresh(true);
    });
    return this.queued;
  }

  /** The run's events so far (parsed once, by its watcher). */
  events(dir: string): readonly TrainerEvent[] {
    return this.tracked.get(dir)?.watcher.events ?? [];
  }

  find(idOrDir: string): RunSummary | undefined {
    return this.runs.find((run) => run.id === idOrDir || run.dir === idOrDir);
  }

  private async read(all: boolean): Promise<void> {
    const dirs: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = folder.uri.fsPath;
      for (const id of await discoverRuns(root)) dirs.push(join(root, RUNS_DIR, id));
    }
    const present = new Set(dirs);
    for (const [dir, tracked] of this.tracked)
      if (!present.has(dir)) {
        tracked.watcher.dispose();
        this.tracked.delete(dir);
        this.reports.forgetRun(dir);
      }
    const runs: RunSummary[] = [];
    for (const dir of dirs) {
      let tracked = this.tracked.get(dir);
      if (!tracked) {
        const id = dir.split(/[\\/]/).pop()!;
        const config = await readRunConfig(dir);
        tracked = {
          watcher: new RunWatcher(
            id,
            dir,
            () => undefined,
            () => undefined,
            false,
          ),
          config,
        };
        this.tracked.set(dir, tracked);
      }
      const { watcher } = tracked;
      if (all || !watcher.state || watcher.state.state === 'running') {
        await watcher.poll();
        tracked.evaluations = await this.reports.ofRun(dir);
      }
      if (!watcher.state) continue;
      const run = withConfig(summarize(watcher.id, dir, watcher.events, watcher.state), tracked.config);
      if (tracked.evaluations?.length) run.evaluations = tracked.evaluations;
      runs.push(run);
    }
    // Newest first across folders: ids start with their creation time.
    runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const { runs: merged, redraw } = mergeRuns(this.runs, runs);
    this.runs = merged;
    if (redraw !== 'none') {
      this.changed.fire(redraw === 'all' ? undefined : redraw);
      this.showStatus();
    }
    const ended = this.transitions.observe(this.runs);
    if (ended.length > 0) this.ended.fire(ended);
  }

  private showStatus(): void {
    const model = statusModel(this.runs);
    if (!model) {
      this.status.hide();
      return;
    }
    this.status.text = model.text;
    this.status.tooltip = model.tooltip;
    this.status.command = { title: 'Open Run', command: 'tunesmith.runs.open', arguments: [model.runId] };
    this.status.show();
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    if (isEvaluationNode(node)) return evaluationTreeItem(node);
    const run = node;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const folder =
      folders.length > 1 ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.dir))?.name : undefined;
    const model = treeItem(run, folder);
    const item = new vscode.TreeItem(
      model.label,
      run.evaluations?.length
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = run.dir;
    item.description = model.description;
    item.tooltip = model.tooltip;
    item.contextValue = model.contextValue;
    const color = run.state === 'failed' ? new vscode.ThemeColor('errorForeground') : undefined;
    item.iconPath = new vscode.ThemeIcon(model.icon, color);
    item.command = { title: 'Open Run', command: 'tunesmith.runs.open', arguments: [run] };
    return item;
  }

  getChildren(element?: HistoryNode): HistoryNode[] {
    if (!element) return this.runs;
    if (isEvaluationNode(element)) return [];
    return (element.evaluations ?? []).map((report) => ({ run: element, report }));
  }

  /** So that `reveal` and the selection find a run from one of its evaluations. */
  getParent(element: HistoryNode): HistoryNode | undefined {
    return isEvaluationNode(element) ? element.run : undefined;
  }

  forget(id: string): void {
    this.transitions.forget(id);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const { watcher } of this.tracked.values()) watcher.dispose();
    this.changed.dispose();
    this.ended.dispose();
    this.status.dispose();
  }
}

function evaluationTreeItem({ report }: EvaluationNode): vscode.TreeItem {
  const model = evaluationItem(report);
  const item = new vscode.TreeItem(model.label, vscode.TreeItemCollapsibleState.None);
  item.id = report.path;
  item.description = model.description;
  item.tooltip = model.tooltip;
  item.contextValue = 'evaluation';
  item.iconPath = new vscode.ThemeIcon('beaker');
  item.command = { title: 'Open Evaluation', command: 'tunesmith.evaluation.show', arguments: [report.path] };
  return item;
}
