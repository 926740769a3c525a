/**
 * One owner for every lifetime (after rust-analyzer's `ctx.ts`): the extension scope (commands,
 * status bar, settings listener) lives until deactivation; the server scope (the language client and
 * what listens to it) ends at each restart. Commands exist in both states, so none fails silently
 * while the server is down.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  DatasetFilesRequest,
  DatasetStatsRequest,
  DatasetSummaryRequest,
  DiskFileNotification,
  LARGE_FILE_BYTES,
  LargeFileNotification,
  LintWorkspaceRequest,
  SETTINGS_SECTION,
  SplitRequest,
  DatasetDiffRequest,
  SummaryNotification,
  type DatasetSummary,
} from '../shared/protocol.ts';
import type { DatasetService } from './new-run/new-run-panel.ts';
import { CONFIG_FILE } from '../core/engine/config.ts';
import { SETTING_KEYS, nest } from '../shared/settings.ts';
import { registerDatasetCompare } from './dataset/compare.ts';
import { DATASET_DISK_VIEW_TYPE, registerDatasetView } from './dataset/editor.ts';
import { registerEvaluation } from './evaluation/commands.ts';
import { ReportStore } from './evaluation/reports.ts';
import { registerEmbeddingModel } from './python/embedding-command.ts';
import { registerEnvironment } from './python/environment.ts';
import { registerRuns } from './runs/commands.ts';
import { StatusBar } from './status.ts';

/** Settings that change which documents the client sends: they need a new client, not just a re-lint. */
const RESTART_KEYS = [`${SETTINGS_SECTION}.files.include`];

/** The `tunesmith.*` settings set at any level (user, workspace, folder), nested like tunesmith.json. */
function explicitSettings(scope: vscode.Uri | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const values = new Map<string, unknown>();
  for (const key of SETTING_KEYS) {
    const inspected = config.inspect(key);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) values.set(key, value);
  }
  return nest(values);
}

export class Ctx {
  private client: LanguageClient | undefined;
  private readonly serverScope: vscode.Disposable[] = [];
  private readonly status = new StatusBar();
  /** Evaluation reports, each read once per version of its file, for the panel, the inline results and Training Runs. */
  private readonly reports = new ReportStore();
  private readonly summaries = new Map<string, DatasetSummary>();
  /** Datasets shown in tabs whose text VS Code does not send (over 50 MB), linted from disk. */
  private diskFiles = new Set<string>();
  private readonly toldAboutLargeFile = new Set<string>();
  readonly output = vscode.window.createOutputChannel('Tunesmith', { log: true });

  constructor(private readonly extension: vscode.ExtensionContext) {
    extension.subscriptions.push(
      this.output,
      this.status,
      vscode.commands.registerCommand('tunesmith.restartServer', () => this.restart()),
      vscode.commands.registerCommand('tunesmith.showOutput', () => this.output.show()),
      vscode.commands.registerCommand('tunesmith.lintWorkspace', () => this.lintWorkspace()),
      vscode.commands.registerCommand('tunesmith.fixAll', () =>
        vscode.commands.executeCommand('editor.action.sourceAction', {
          kind: 'source.fixAll.tunesmith',
          apply: 'first',
        }),
      ),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerEnvironment(extension, this.output),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerEmbeddingModel(extension, this.output, () => this.embeddingModelChanged()),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerRuns(extension, this.output, this.datasetService(), this.reports),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerEvaluation(extension, this.output, this.reports),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerDatasetView(extension, this.output, async (uri, signal) => {
        const cancel = new vscode.CancellationTokenSource();
        signal?.addEventListener('abort', () => cancel.cancel());
        try {
          return await (await this.running()).sendRequest(DatasetStatsRequest, { uri }, cancel.token);
        } finally {
          cancel.dispose();
        }
      }),
      // eslint-disable-next-line no-restricted-syntax -- a fixed, short list of commands
      ...registerDatasetCompare(extension, this.output, async (params) =>
        (await this.running()).sendRequest(DatasetDiffRequest, params),
      ),
      vscode.window.onDidChangeActiveTextEditor(() => this.showSummary()),
      vscode.window.tabGroups.onDidChangeTabs(() => {
        this.showSummary();
        void this.syncDiskFiles();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) void this.restart();
      }),
    );
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.cjs');
    const run = { module: serverModule, transport: TransportKind.ipc };
    const serverOptions: ServerOptions = {
      run,
      debug: { ...run, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const include = vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .get<string[]>('files.include', ['**/*.jsonl']);
    const watcher = vscode.workspace.createFileSystemWatcher(`{${include.join(',')}}`);
    const configWatcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
    this.serverScope.push(watcher, configWatcher);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: 'jsonl' },
        ...include.map((pattern) => ({ scheme: 'file', pattern })),
        ...include.map((pattern) => ({ scheme: 'untitled', pattern })),
      ],
      // The server pulls settings per resource; this only makes the client announce changes to them.
      synchronize: {
        fileEvents: [watcher, configWatcher],
        configurationSection: [SETTINGS_SECTION, 'files.exclude'],
      },
      middleware: {
        workspace: {
          // Only what the user set: defaults must not hide the project's tunesmith.json.
          configuration: (params) =>
            params.items.map((item) => {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              if (item.section !== SETTINGS_SECTION)
                return vscode.workspace.getConfiguration(undefined, scope).get(item.section ?? '');
              return explicitSettings(scope);
            }),
        },
      },
      outputChannel: this.output,
      // The default error handler restarts a crashed server (up to 4 times in 3 minutes).
    };
    const client = new LanguageClient('tunesmith', 'Tunesmith', serverOptions, clientOptions);
    this.client = client;
    this.serverScope.push(
      client.onDidChangeState(({ newState }) => {
        if (newState === State.Running) this.showSummary();
        else this.status.stopped(newState === State.Starting ? 'starting' : 'stopped');
      }),
      client.onNotification(SummaryNotification, (summary) => {
        this.summaries.set(summary.uri, summary);
        this.showSummary();
      }),
      client.onNotification(LargeFileNotification, ({ uri, sizeBytes }) => {
        if (this.toldAboutLargeFile.has(uri)) return;
        this.toldAboutLargeFile.add(uri);
        const name = vscode.Uri.parse(uri).path.split('/').pop();
        const mb = Math.round(sizeBytes / 1024 / 1024);
        void vscode.window.showInformationMessage(
          `${name} is ${mb} MB: VS Code does not send files over 50 MB to extensions, so Tunesmith's ` +
            'diagnostics for it come from the saved file and refresh each time it is saved.',
        );
      }),
    );
    this.status.stopped('starting');
    await client.start();
    this.diskFiles = new Set();
    await this.syncDiskFiles();
  }

  async restart(): Promise<void> {
    await this.stopServer();
    await this.start();
  }

  /** The running client; a request may come while the server is still starting: it waits a little. */
  private async running(): Promise<LanguageClient> {
    for (let waited = 0; waited < 15_000; waited += 200) {
      if (this.client?.isRunning()) return this.client;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('The Tunesmith language server is not running.');
  }

  /**
   * The embedding model was fetched: a configuration change makes the server look for it again,
   * restart its worker and check every open document, so the findings appear without a reload.
   */
  private async embeddingModelChanged(): Promise<void> {
    if (this.client?.isRunning())
      await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** The language server's answers for the new-run form; each refuses plainly while it is down. */
  private datasetService(): DatasetService {
    const running = () => this.running();
    return {
      files: async () => (await (await running()).sendRequest(DatasetFilesRequest)).uris,
      summary: async (uri) => (await running()).sendRequest(DatasetSummaryRequest, { uri }),
      split: async (uri, fraction) => (await running()).sendRequest(SplitRequest, { uri, fraction }),
    };
  }

  private async lintWorkspace(): Promise<void> {
    if (!this.client?.isRunning()) {
      void vscode.window.showWarningMessage(
        'The Tunesmith server is not running; use "Tunesmith: Restart Server".',
      );
      return;
    }
    const { files } = await this.client.sendRequest(LintWorkspaceRequest);
    void vscode.window.showInformationMessage(`Tunesmith linted ${files} dataset file(s).`);
  }

  /** Tells the server which unsynchronised (over 50 MB) datasets are shown, so it lints them from disk. */
  private async syncDiskFiles(): Promise<void> {
    const client = this.client;
    if (!client?.isRunning()) return;
    const synced = new Set(vscode.workspace.textDocuments.map((document) => document.uri.toString()));
    const shown = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        // A text tab of a file VS Code did not send, or the dataset view that reads a file from disk.
        const input = tab.input;
        const uri =
          input instanceof vscode.TabInputText ||
          (input instanceof vscode.TabInputCustom && input.viewType === DATASET_DISK_VIEW_TYPE)
            ? input.uri
            : undefined;
        if (!uri || uri.scheme !== 'file' || !uri.path.endsWith('.jsonl') || synced.has(uri.toString()))
          continue;
        const size = await vscode.workspace.fs.stat(uri).then(
          (stat) => stat.size,
          () => 0,
        );
        if (size >= LARGE_FILE_BYTES) shown.add(uri.toString());
      }
    }
    for (const uri of shown)
      if (!this.diskFiles.has(uri)) void client.sendNotification(DiskFileNotification, { uri, open: true });
    for (const uri of this.diskFiles)
      if (!shown.has(uri)) void client.sendNotification(DiskFileNotification, { uri, open: false });
    this.diskFiles = shown;
  }

  private activeUri(): string | undefined {
    const editor = vscode.window.activeTextEditor;
    if (editor) return editor.document.uri.toString();
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return input instanceof vscode.TabInputText ? input.uri.toString() : undefined;
  }

  private showSummary(): void {
    const uri = this.activeUri();
    const summary = uri === undefined ? undefined : this.summaries.get(uri);
    if (this.client && !this.client.isRunning()) return;
    this.status.show(summary);
  }

  private async stopServer(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const disposable of this.serverScope.splice(0)) disposable.dispose();
    if (client) await client.stop().catch(() => undefined);
  }

  async dispose(): Promise<void> {
    await this.stopServer();
  }
}
