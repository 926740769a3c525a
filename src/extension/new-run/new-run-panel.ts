/**
 * The "New fine-tuning run" form's host: it answers the form with what only the extension can know
 * (model folders, datasets and their lint summaries from the language server, the trainer's doctor
 * and estimate), then creates the run, launches the trainer and opens the run's panel.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import { loadPage } from '../webview.ts';
import {
  isNewRunFormMessage,
  type DatasetFile,
  type EnvInfo,
  type EstimateView,
  type NewRunHostMessage,
} from '../../shared/new-run-protocol.ts';
import type { DatasetSummary, SplitResult } from '../../shared/protocol.ts';
import { validateRunConfig } from '../../shared/run-config.ts';
import { trainerEnvironment } from '../python/environment.ts';
import { trainerJson, trainerPython } from '../python/interpreter.ts';
import { runFolder } from '../runs/folders.ts';
import { RunPanel, type RunsHost } from '../runs/run-panel.ts';
import { RUNS_DIR, createRun, launch, newRunId, runFiles, trainArgs } from '../runs/run.ts';
import { checkModelFolder, findModelFolders } from './model-folder.ts';
import { newRunHtml } from './page.ts';

/** What the form needs from the language server (Ctx owns the client). */
export interface DatasetService {
  files(): Promise<string[]>;
  summary(uri: string): Promise<DatasetSummary | null>;
  split(uri: string, fraction: number): Promise<SplitResult>;
}

/** The part of `python -m tunesmith_trainer estimate` the form shows (estimate.py). */
interface TrainerEstimate {
  device: { type: string; name: string | null; free_bytes: number | null };
  bytes: { total: number };
  fits: boolean | null;
  suggestions: { change: string; total_bytes: number; fits: boolean }[];
}

const VALIDATION_SHARE = 0.1;

export class NewRunPanel {
  static readonly viewType = 'tunesmith.newRun';
  private static current: NewRunPanel | undefined;
  private readonly id = newRunId();
  private readonly disposables: vscode.Disposable[] = [];
  /** The estimate running now, and the config to estimate once it is done (latest wins). */
  private estimating = false;
  /** The dataset URIs this host offered the form: the only ones it summarizes or splits. */
  private listed = new Set<string>();
  private nextEstimate: { seq: number; config: Record<string, unknown> } | undefined;

  static createOrShow(
    extensionUri: vscode.Uri,
    roots: readonly string[],
    runs: RunsHost,
    datasets: DatasetService,
  ): void {
    if (NewRunPanel.current) {
      NewRunPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      NewRunPanel.viewType,
      'New Fine-Tuning Run',
      vscode.ViewColumn.Active,
      { retainContextWhenHidden: true },
    );
    NewRunPanel.current = new NewRunPanel(panel, extensionUri, roots, runs, datasets);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    /** The workspace folders; a run goes to the one that holds its training file. */
    private readonly roots: readonly string[],
    private readonly runs: RunsHost,
    private readonly datasets: DatasetService,
  ) {
    loadPage(panel, extensionUri, 'new-run', newRunHtml);
    const webview = panel.webview;
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Workspace trust was granted: the open form may launch now, and checks the environment. */
  static trustGranted(): void {
    const form = NewRunPanel.current;
    if (form) void form.unblock().catch((error: unknown) => form.fail(error));
  }

  private post(message: NewRunHostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isNewRunFormMessage(message)) {
      this.runs.output.warn('new-run form: ignored a message of unknown shape');
      return;
    }
    try {
      switch (message.type) {
        case 'ready':
          return await this.init();
        case 'browse': {
          const picked = await vscode.window.showOpenDialog({
            canSelectFolders: true,
            canSelectFiles: false,
            openLabel: 'Use as base model',
          });
          if (picked?.[0]) this.post({ type: 'model', model: await checkModelFolder(picked[0].fsPath) });
          return;
        }
        case 'summarize': {
          if (!this.listed.has(message.uri)) return this.ignoreUnlisted(message.uri);
          const summary = await this.datasets.summary(message.uri);
          const { uri } = message;
          this.post({
            type: 'summary',
            summary: summary ? { ...summary, uri } : { uri, error: 'The file could not be read or linted.' },
          });
          return;
        }
        case 'split': {
          // The split writes files next to its input: only a dataset this host offered.
          if (!this.listed.has(message.uri)) return this.ignoreUnlisted(message.uri);
          const result = await this.datasets.split(message.uri, VALIDATION_SHARE);
          if ('error' in result) return this.post({ type: 'error', message: `Split: ${result.error}` });
          this.runs.output.info(`split ${message.uri}:\n${result.report}`);
          const select = { train: result.train, validation: result.validation };
          return this.post({ type: 'datasets', datasets: await this.datasetFiles(), select });
        }
        case 'estimate':
          this.nextEstimate = message;
          return await this.estimate();
        case 'launch':
          return await this.launch(message.config, message.override);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.runs.output.error(`new-run form: ${text}`);
    this.post({ type: 'error', message: text.split('\n')[0]! });
  }

  private ignoreUnlisted(uri: string): void {
    this.runs.output.warn(`new-run form: ignored a request for a file it was not offered: ${uri}`);
  }

  private async datasetFiles(): Promise<DatasetFile[]> {
    const uris = await this.datasets.files().catch((error: unknown) => {
      this.runs.output.error(`new-run form: the language server listed no datasets: ${String(error)}`);
      return [];
    });
    this.listed = new Set(uris);
    const python = await trainerPython();
    return uris.map((uri) => {
      const path = vscode.Uri.parse(uri).fsPath;
      const label = vscode.workspace.asRelativePath(path, this.roots.length > 1);
      const where = runFolder(path, this.roots);
      if (!('folder' in where)) return { uri, path, label };
      const dir = this.runDir(where.folder);
      return { uri, path, label, run: { dir, command: this.command(python, dir) } };
    });
  }

  /** The folder for a run with this training file: asks when the file's folder is ambiguous. */
  private async folderFor(trainPath: string): Promise<string | undefined> {
    const where = runFolder(trainPath, this.roots);
    if ('folder' in where) return where.folder;
    const picked = await vscode.window.showQuickPick(
      where.ask.map((folder) => ({ label: vscode.workspace.asRelativePath(folder, true), folder })),
      { placeHolder: 'Workspace folder to create the run in (its .tunesmith/runs/)' },
    );
    return picked?.folder;
  }

  private runDir(folder = this.roots[0]!): string {
    return join(folder, RUNS_DIR, this.id);
  }

  private command(python: string, runDir = this.runDir()): string[] {
    return [python, ...trainArgs(runFiles(runDir).config, false)];
  }

  private async init(): Promise<void> {
    const python = await trainerPython();
    const [folders, datasets] = await Promise.all([
      Promise.all(this.roots.map((root) => findModelFolders(root))),
      this.datasetFiles(),
    ]);
    const blocked = this.runs.launchBlocked();
    this.post({
      type: 'init',
      runDir: this.runDir(),
      command: this.command(python),
      models: await Promise.all(folders.flat().map(checkModelFolder)),
      datasets,
      ...(blocked ? { blocked } : {}),
    });
    if (blocked) return; // doctor runs Python: not in an untrusted workspace
    this.post({ type: 'env', env: await environment(python) });
  }

  private async unblock(): Promise<void> {
    const python = await trainerPython();
    this.post({ type: 'trusted', command: this.command(python) });
    // Each training file's command names the interpreter too.
    this.post({ type: 'datasets', datasets: await this.datasetFiles() });
    this.post({ type: 'env', env: await environment(python) });
  }

  private async estimate(): Promise<void> {
    if (this.estimating || !this.nextEstimate || this.runs.launchBlocked()) return;
    const { seq, config } = this.nextEstimate;
    this.nextEstimate = undefined;
    this.estimating = true;
    const dir = await mkdtemp(join(tmpdir(), 'tunesmith-estimate-'));
    try {
      const file = join(dir, 'config.json');
      await writeFile(file, JSON.stringify({ ...config, output: { dir } }));
      const result = await trainerJson<TrainerEstimate>(await trainerPython(), [
        'estimate',
        '--config',
        file,
      ]);
      this.post({ type: 'estimate', seq, estimate: estimateView(result) });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.post({ type: 'estimate', seq, error: text.split('\n')[0]! });
    } finally {
      this.estimating = false;
      await rm(dir, { recursive: true, force: true });
    }
    await this.estimate();
  }

  private async launch(config: Record<string, unknown>, override: boolean): Promise<void> {
    const blocked = this.runs.launchBlocked();
    if (blocked) return this.post({ type: 'error', message: blocked });
    const problems = validateRunConfig(config);
    if (problems.length > 0)
      return this.post({ type: 'error', message: `${problems[0]!.field} ${problems[0]!.message}.` });
    const data = config['data'] as { train: string; validation?: string };
    for (const path of [data.train, data.validation]) {
      if (!path || override) continue;
      const summary = await this.datasets.summary(pathToFileURL(path).href);
      if (summary && summary.errors > 0) {
        const first = summary.firstError;
        const reason = first ? ` The first, line ${first.line}: ${first.message} (${first.code})` : '';
        return this.post({ type: 'error', message: `${path} has ${summary.errors} errors.${reason}` });
      }
    }
    const folder = await this.folderFor(data.train);
    if (!folder) return this.post({ type: 'error', message: 'No workspace folder was chosen for the run.' });
    const run = await createRun(folder, config, this.id);
    try {
      await launch(await trainerPython(), run.dir, false);
    } catch (error) {
      // Nothing ran: no run to list in the history, and the form keeps its id for another try.
      await rm(run.dir, { recursive: true, force: true });
      throw error;
    }
    this.runs.output.info(`started run ${run.id} in ${run.dir}`);
    RunPanel.createOrShow(this.extensionUri, run.id, run.dir, this.runs);
    this.dispose();
  }

  dispose(): void {
    if (NewRunPanel.current === this) NewRunPanel.current = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}

/** The form's environment line, from the doctor report the install check already made (cached). */
async function environment(python: string): Promise<EnvInfo> {
  try {
    const { report, problem } = await trainerEnvironment();
    if (!report) return { python, problem: problem?.message.split('\n')[0] ?? 'the doctor did not run' };
    const torch = report.packages['torch'];
    const gpu = report.cuda.available ? report.cuda.gpus[0] : undefined;
    return {
      python: report.python.executable,
      ...(torch ? { torch } : { problem: 'torch is not installed in this environment.' }),
      ...(gpu ? { gpu: { name: gpu.name, memoryBytes: gpu.memory_bytes } } : {}),
    };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { python, problem: text.split('\n')[0]! };
  }
}

function estimateView(result: TrainerEstimate): EstimateView {
  return {
    device: result.device.type === 'cuda' ? (result.device.name ?? 'the GPU') : 'the CPU',
    fits: result.fits,
    totalBytes: result.bytes.total,
    freeBytes: result.device.free_bytes,
    suggestions: result.suggestions.map((s) => ({
      change: s.change,
      totalBytes: s.total_bytes,
      fits: s.fits,
    })),
  };
}
