/**
 * The language server: open datasets are linted incrementally as they are edited, the rest of the
 * workspace in the background from disk. Settings are pulled per resource and cached by URI (after
 * lsp-sample), never held in globals; a configuration change drops the cache and re-lints.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, relative, sep } from 'node:path';
import {
  CodeActionKind,
  FileChangeType,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { resolveConfig, type ResolvedConfig } from '../../core/engine/config.ts';
import { FORMAT_NAMES } from '../../core/engine/formats.ts';
import { compareFindings, type RuleErrorHandler } from '../../core/engine/linter.ts';
import type { Checker } from '../../core/engine/rule.ts';
import type { Finding } from '../../core/engine/types.ts';
import {
  DiskFileNotification,
  FIX_ALL_KIND,
  LargeFileNotification,
  type InitializationOptions,
  LintWorkspaceRequest,
  SETTINGS_SECTION,
  SplitRequest,
  SummaryNotification,
  DatasetFilesRequest,
  DatasetSummaryRequest,
  type DatasetSummary,
} from '../../shared/protocol.ts';
import { CONFIG_FILE, mergeSettings } from '../../shared/settings.ts';
import { lintFromDisk as lintFileFromDisk } from './disk-lint.ts';
import { splitDataset } from './split-request.ts';
import { checkChange } from './document-sync.ts';
import { codeActions, hoverFor, symbolFor, toDiagnostic } from './features.ts';
import { GlobSet } from './glob.ts';
import { LintedDocument, type TextChange } from './linted-document.ts';
import { chooseShown, MAX_DIAGNOSTICS, omittedNote, SeverityCounts } from './publication.ts';
import { SplitIndex } from './split-index.ts';

interface OpenDocument {
  /** The latest version accepted (changes waiting in `pending` included). */
  version: number;
  /** Undefined until the document's settings have arrived; changes wait in `pending` meanwhile. */
  linted: LintedDocument | undefined;
  pending: TextChange[];
  /**
   * Set when a change could not be read: the editor's text moved on in a way the copy cannot follow,
   * so nothing is published for it until a change replaces the whole text (or it is opened again).
   */
  outOfSync: boolean;
  config: ResolvedConfig | undefined;
  scheduled: boolean;
}

/** Directories never worth walking for datasets, whatever the settings say. */
const NEVER_WALK = new Set(['node_modules', '.git', '.hg', '.svn']);

export function startServer(connection: Connection, checkers: readonly Checker[]): void {
  const open = new Map<string, OpenDocument>();
  const configs = new Map<string, Promise<ResolvedConfig>>();
  const workspaceFolders: string[] = [];
  /** Files shown in the editor whose text the client could not send, with a watcher each. */
  const diskFiles = new Map<string, FSWatcher>();
  let canPullConfiguration = false;
  let largeFileBytes = 50 * 1024 * 1024;
  /** What each file linted from disk shows, republished when its leakage changes. */
  const diskDiagnostics = new Map<string, { shown: Finding[]; counts: SeverityCounts }>();
  const split = new SplitIndex(
    checkers,
    (uri) => open.get(uri)?.linted?.access(),
    (uris) => {
      for (const uri of uris) {
        if (open.has(uri)) schedule(uri);
        else if (diskDiagnostics.has(uri)) publishDisk(uri);
      }
    },
  );

  function publishDisk(uri: string): void {
    const disk = diskDiagnostics.get(uri) ?? { shown: [], counts: new SeverityCounts() };
    const leaks = split.findingsFor(uri);
    const counts = new SeverityCounts();
    counts.addCounts(disk.counts);
    counts.add(leaks);
    const shown = chooseShown([...disk.shown, ...leaks].sort(compareFindings), counts);
    void connection.sendDiagnostics({ uri, diagnostics: diagnosticsOf(shown, counts, uri) });
  }

  /** The diagnostics of the findings shown, and the note about those left out. */
  function diagnosticsOf(shown: readonly Finding[], counts: SeverityCounts, uri: string): Diagnostic[] {
    const diagnostics = shown.map((finding) => toDiagnostic(finding, uri));
    const note = omittedNote(shown.length, counts);
    if (note) diagnostics.push(note);
    return diagnostics;
  }

  /** The leakage findings of `uri` whose range starts on a line from `first` to `last`. */
  function leaksOn(uri: string, first: number, last: number): Finding[] {
    return split.findingsFor(uri).filter((f) => f.range.start.line >= first && f.range.start.line <= last);
  }

  function observerFor(uri: string, config: ResolvedConfig) {
    return split.observer(uri, SplitIndex.roleOf(uri, config, workspaceFolders));
  }

  const onRuleError: RuleErrorHandler = (codes, line, error) => {
    const where = line === undefined ? 'the dataset index' : `line ${line + 1}`;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    connection.console.error(`Rule ${codes.join(', ')} failed on ${where} and was skipped there: ${detail}`);
  };

  function configFor(uri: string): Promise<ResolvedConfig> {
    let config = configs.get(uri);
    if (!config) {
      config = (async () => {
        const settings: unknown = canPullConfiguration
          ? await connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
          : undefined;
        const file = await readConfigFile(uri);
        const { config: resolved, problems } = resolveConfig(mergeSettings(file, settings));
        for (const problem of problems) connection.console.warn(`Configuration: ${problem}`);
        return resolved;
      })();
      configs.set(uri, config);
    }
    return config;
  }

  /**
   * Publishes in two steps when an edit invalidated whole-file findings: first what is known at once
   * (the edited lines, and the whole-file findings the edit cannot have touched), then, unless more
   * edits arrived meanwhile, the complete set. The summary goes with the complete set only.
   */
  /** The `tunesmith.json` at the root of the workspace folder holding `uri` (the CLI reads it from its cwd). */
  async function readConfigFile(uri: string): Promise<unknown> {
    const folder =
      workspaceFolders.find((f) => uri === f || uri.startsWith(f.endsWith('/') ? f : f + '/')) ??
      workspaceFolders[0];
    if (!folder?.startsWith('file:')) return undefined;
    const path = join(fileURLToPath(folder), CONFIG_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined; // no file: the defaults and settings apply
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      connection.console.warn(`${path} is not valid JSON (${String(error)}); it is ignored`);
      return undefined;
    }
  }

  /** An internal failure goes to the log with what it was doing; the server carries on. */
  function logFailure(doing: string, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    connection.console.error(`Internal error while ${doing}: ${detail}`);
  }

  function publish(uri: string, complete = false): void {
    try {
      publishFindings(uri, complete);
    } catch (error) {
      // Never stale diagnostics after an error (as eslint does): none, and the reason in the log.
      logFailure(`linting ${uri}`, error);
      void connection.sendDiagnostics({ uri, version: open.get(uri)?.version, diagnostics: [] });
    }
  }

  function publishFindings(uri: string, complete: boolean): void {
    const document = open.get(uri);
    if (!document) return;
    document.scheduled = false;
    const linted = document.linted;
    if (!linted || document.outOfSync) return;
    const done = complete || linted.complete;
    const { shown, counts } = linted.select(MAX_DIAGNOSTICS, split.findingsFor(uri), done);
    const version = document.version;
    void connection.sendDiagnostics({ uri, version, diagnostics: diagnosticsOf(shown, counts, uri) });
    if (done) sendSummary(uri, counts, linted.exampleCount(), linted.dominantFormat(), shown, version);
    else {
      setImmediate(() => {
        if (open.get(uri) === document && document.version === version && !document.scheduled)
          publish(uri, true);
      });
    }
  }

  function summarize(
    uri: string,
    counts: SeverityCounts,
    examples: number,
    format: keyof typeof FORMAT_NAMES | undefined,
    shown: readonly Finding[],
  ): DatasetSummary {
    const { errors, warnings } = counts;
    const summary: DatasetSummary = {
      uri,
      examples,
      format: FORMAT_NAMES[format ?? 'unknown'],
      errors,
      warnings,
    };
    // Shown findings hold every error there is room for, in order of position.
    const first = errors > 0 ? shown.find((finding) => finding.severity === 'error') : undefined;
    if (first)
      summary.firstError = { line: first.range.start.line + 1, code: first.code, message: first.message };
    return summary;
  }

  function sendSummary(
    uri: string,
    counts: SeverityCounts,
    examples: number,
    format: keyof typeof FORMAT_NAMES | undefined,
    shown: readonly Finding[],
    version: number | undefined,
    fromDisk = false,
  ): DatasetSummary {
    const summary = summarize(uri, counts, examples, format, shown);
    if (version !== undefined) summary.version = version;
    if (fromDisk) summary.fromDisk = true;
    void connection.sendNotification(SummaryNotification, summary);
    return summary;
  }

  /** Coalesces a burst of changes into one lint of the dataset indexes and one publication. */
  function schedule(uri: string): void {
    const document = open.get(uri);
    if (!document || document.scheduled) return;
    document.scheduled = true;
    setImmediate(() => publish(uri));
  }

  connection.onInitialize((params): InitializeResult => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof options.largeFileBytes === 'number') largeFileBytes = options.largeFileBytes;
    for (const folder of params.workspaceFolders ?? []) workspaceFolders.push(folder.uri);
    if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders.push(params.rootUri);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Examples' },
      },
      serverInfo: { name: 'tunesmith' },
    };
  });

  connection.onInitialized(async () => {
    // Leakage uses the first folder's settings; files opened before they arrived are added again.
    split.configure(await configFor(workspaceFolders[0] ?? 'file:///'));
    for (const [uri, document] of open) {
      if (!document.linted || !document.config) continue;
      document.linted.reconfigure(document.config);
      schedule(uri);
    }
    void lintWorkspace();
  });

  connection.onDidOpenTextDocument(async ({ textDocument }) => {
    if (open.has(textDocument.uri))
      connection.console.warn(`${textDocument.uri} was opened again without a close; the new text is taken`);
    const document: OpenDocument = {
      version: textDocument.version,
      linted: undefined,
      pending: [],
      outOfSync: false,
      config: undefined,
      scheduled: false,
    };
    open.set(textDocument.uri, document);
    const config = await configFor(textDocument.uri);
    if (open.get(textDocument.uri) !== document) return; // closed while settings were on their way
    document.config = config;
    diskDiagnostics.delete(textDocument.uri);
    document.linted = new LintedDocument(
      textDocument.text,
      config,
      checkers,
      onRuleError,
      observerFor(textDocument.uri, config),
    );
    document.linted.applyChanges(document.pending);
    document.pending = [];
    schedule(textDocument.uri);
  });

  /** Applies a didChange that `checkChange` allows; says in the log what it refused and why. */
  connection.onDidChangeTextDocument((params) => {
    const uri: unknown = params.textDocument?.uri;
    const document = typeof uri === 'string' ? open.get(uri) : undefined;
    if (typeof uri !== 'string' || !document) {
      connection.console.warn(`Ignored a change to ${String(uri)}: it is not open (no didOpen, or closed)`);
      return;
    }
    const checked = checkChange(params.textDocument.version, params.contentChanges, document.version);
    if (checked.kind === 'stale') {
      connection.console.warn(`Ignored a change to ${uri}: ${checked.reason} (a replay?)`);
      return;
    }
    if (checked.kind === 'malformed') {
      document.outOfSync = true;
      connection.console.error(
        `A change to ${uri} cannot be read (${checked.reason}), so the server's copy no longer matches the editor's: its diagnostics are withdrawn until the file is closed and opened again.`,
      );
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    for (const warning of checked.warnings) connection.console.warn(`A change to ${uri}: ${warning}`);
    document.version = checked.version;
    let changes = checked.changes;
    if (document.outOfSync) {
      // Only a change that replaces the whole text brings the copy back.
      const whole = changes.findLastIndex((change) => !change.range);
      if (whole === -1) return;
      changes = changes.slice(whole);
      document.outOfSync = false;
      connection.console.info(`${uri} was replaced as a whole: its copy matches the editor's again`);
    }
    if (!document.linted) {
      for (const change of changes) document.pending.push(change);
      return;
    }
    document.linted.applyChanges(changes);
    schedule(uri);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    if (!open.has(textDocument.uri)) {
      connection.console.warn(`Ignored closing ${textDocument.uri}: it is not open`);
      return;
    }
    open.delete(textDocument.uri);
    split.removeFile(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    // A workspace dataset keeps its diagnostics, now from the saved file.
    void inWorkspace(textDocument.uri).then((yes) => (yes ? lintFromDisk(textDocument.uri) : undefined));
  });

  connection.onDidChangeConfiguration(() => reloadConfiguration());

  /** Settings or a tunesmith.json changed: every document and the workspace are linted again. */
  async function reloadConfiguration(): Promise<void> {
    configs.clear();
    split.configure(await configFor(workspaceFolders[0] ?? 'file:///'));
    await Promise.all(
      [...open].map(async ([uri, document]) => {
        const config = await configFor(uri);
        if (open.get(uri) !== document || !document.linted) return;
        document.config = config;
        document.linted.reconfigure(config);
        schedule(uri);
      }),
    );
    void lintWorkspace();
  }

  connection.onCodeAction(({ textDocument, range, context }) => {
    const document = open.get(textDocument.uri);
    const linted = document?.linted;
    if (!linted || document.outOfSync) return [];
    const { uri } = textDocument;
    const near = [
      ...linted.findingsOn(range.start.line, range.end.line),
      ...leaksOn(uri, range.start.line, range.end.line),
    ];
    const all = (): Finding[] => [...linted.findings(), ...split.findingsFor(uri)].sort(compareFindings);
    const unread = (line: number): boolean => linted.unread(line);
    return codeActions(near, all, uri, document.version, range, context.only, unread);
  });

  connection.onHover(({ textDocument, position }) => {
    const document = open.get(textDocument.uri);
    const context = document?.outOfSync ? undefined : document?.linted?.context(position.line);
    if (!document?.config || !context) return undefined;
    const { line } = position;
    const near = [...document.linted!.findingsOn(line, line), ...leaksOn(textDocument.uri, line, line)];
    return hoverFor(context, near, position.character, document.config);
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const document = open.get(textDocument.uri);
    const linted = document?.linted;
    if (!linted || document.outOfSync) return [];
    const symbols = [];
    for (let line = 0; line < linted.lineCount; line++) {
      const context = linted.context(line);
      const symbol = context && symbolFor(context);
      if (symbol) symbols.push(symbol);
    }
    return symbols;
  });

  connection.onRequest(LintWorkspaceRequest, () => lintWorkspace());
  connection.onRequest(DatasetFilesRequest, async () => ({
    uris: (await Promise.all(workspaceFolders.map(datasetFiles))).flat().sort(),
  }));
  connection.onRequest(DatasetSummaryRequest, async ({ uri }) => {
    const linted = open.get(uri)?.linted;
    // A lint from disk started meanwhile (the workspace lint) supersedes ours: ask again.
    for (let attempt = 0; !linted && attempt < 3; attempt++) {
      const summary = await lintFromDisk(uri);
      if (summary) return summary;
      if (open.has(uri) || !(await stat(fileURLToPath(uri)).catch(() => undefined))) break;
    }
    if (!linted) return null;
    const { shown, counts } = linted.select(MAX_DIAGNOSTICS, split.findingsFor(uri), true);
    return summarize(uri, counts, linted.exampleCount(), linted.dominantFormat(), shown);
  });
  connection.onRequest(SplitRequest, async (params) => splitDataset(params, await configFor(params.uri)));

  connection.onShutdown(() => {
    split.dispose();
    for (const watcher of diskFiles.values()) watcher.close();
    diskFiles.clear();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    if (changes.some((change) => change.uri.endsWith(`/${CONFIG_FILE}`))) {
      await reloadConfiguration();
      return;
    }
    for (const change of changes) {
      if (open.has(change.uri)) continue; // the buffer, not the disk, is what the user sees
      if (change.type === FileChangeType.Deleted) {
        diskDiagnostics.delete(change.uri);
        split.removeFile(change.uri);
        void connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
      } else if (await inWorkspace(change.uri)) await lintFromDisk(change.uri);
    }
  });

  async function workspaceGlobs(folderUri: string): Promise<{ include: GlobSet; exclude: GlobSet }> {
    const config = await configFor(folderUri);
    const filesExclude: unknown = canPullConfiguration
      ? await connection.workspace.getConfiguration({ scopeUri: folderUri, section: 'files.exclude' })
      : undefined;
    const excluded = Object.entries(
      typeof filesExclude === 'object' && filesExclude !== null ? filesExclude : {},
    ).flatMap(([glob, on]) => (on === true ? [glob] : []));
    return {
      include: new GlobSet(config.files.include),
      exclude: new GlobSet([...config.files.exclude, ...excluded]),
    };
  }

  async function inWorkspace(uri: string): Promise<boolean> {
    if (!uri.startsWith('file:')) return false;
    const path = fileURLToPath(uri);
    for (const folderUri of workspaceFolders) {
      const rel = relative(fileURLToPath(folderUri), path).split(sep).join('/');
      if (rel.startsWith('..')) continue;
      const { include, exclude } = await workspaceGlobs(folderUri);
      return include.matches(rel) && !exclude.matches(rel);
    }
    return false;
  }

  async function datasetFiles(folderUri: string): Promise<string[]> {
    const root = fileURLToPath(folderUri);
    const { include, exclude } = await workspaceGlobs(folderUri);
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable directories are not datasets
      }
      for (const entry of entries) {
        const path = `${dir}/${entry.name}`;
        const rel = relative(root, path).split(sep).join('/');
        if (entry.isDirectory()) {
          if (!NEVER_WALK.has(entry.name) && !exclude.matches(rel) && !exclude.matches(rel + '/x'))
            await walk(path);
        } else if (entry.isFile() && include.matches(rel) && !exclude.matches(rel)) {
          found.push(pathToFileURL(path).href);
        }
      }
    };
    await walk(root);
    return found;
  }

  /** The latest lint from disk of each file: an older one still streaming stops when a newer starts. */
  const diskRuns = new Map<string, object>();

  async function lintFromDisk(uri: string): Promise<DatasetSummary | undefined> {
    let size: number;
    const path = fileURLToPath(uri);
    try {
      size = (await stat(path)).size;
    } catch {
      return;
    }
    if (open.has(uri)) return;
    const config = await configFor(uri);
    if (open.has(uri)) return; // opened meanwhile: the buffer's diagnostics win
    const run = {};
    diskRuns.set(uri, run);
    const current = (): boolean => diskRuns.get(uri) === run && !open.has(uri);
    let linted;
    try {
      linted = await lintFileFromDisk(path, config, checkers, {
        onRuleError: (message) => connection.console.error(`${path}: ${message}; the rule was skipped there`),
        observer: observerFor(uri, config),
        current,
      });
    } catch (error) {
      // Deleted meanwhile: nothing to show. Anything else is said, never swallowed.
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      )
        logFailure(`linting ${path}`, error);
      return;
    } finally {
      if (diskRuns.get(uri) === run) diskRuns.delete(uri);
    }
    if (!linted) return;
    diskDiagnostics.set(uri, { shown: linted.shown, counts: linted.counts });
    publishDisk(uri);
    const summary = sendSummary(
      uri,
      linted.counts,
      linted.examples,
      linted.dominantFormat,
      linted.shown,
      undefined,
      true,
    );
    if (size >= largeFileBytes)
      void connection.sendNotification(LargeFileNotification, { uri, sizeBytes: size });
    return summary;
  }

  connection.onNotification(DiskFileNotification, ({ uri, open: shown }) => {
    const existing = diskFiles.get(uri);
    if (!shown) {
      existing?.close();
      diskFiles.delete(uri);
      void inWorkspace(uri).then((yes) => {
        if (!yes && !open.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      });
      return;
    }
    if (existing || open.has(uri) || !uri.startsWith('file:')) return;
    let pending = false;
    try {
      // The workspace watcher covers workspace files only; a file opened from elsewhere needs its own.
      const watcher = watch(fileURLToPath(uri), () => {
        if (pending) return;
        pending = true;
        setTimeout(() => {
          pending = false;
          void lintFromDisk(uri);
        }, 200);
      });
      diskFiles.set(uri, watcher);
    } catch {
      return;
    }
    void lintFromDisk(uri);
  });

  let workspaceRun: Promise<{ files: number }> | undefined;

  /** Lints every closed dataset of the workspace from disk, reporting progress. One run at a time. */
  function lintWorkspace(): Promise<{ files: number }> {
    workspaceRun ??= (async () => {
      const progress = await connection.window.createWorkDoneProgress();
      try {
        progress.begin('Tunesmith: linting datasets', 0, 'finding files…', false);
        const files = (await Promise.all(workspaceFolders.map(datasetFiles))).flat();
        for (const [i, uri] of files.entries()) {
          progress.report(Math.round((i / Math.max(files.length, 1)) * 100), relativeName(uri));
          if (!open.has(uri)) await lintFromDisk(uri);
          await new Promise((resolve) => setImmediate(resolve)); // let edits through between files
        }
        return { files: files.length };
      } finally {
        progress.done();
        workspaceRun = undefined;
      }
    })();
    return workspaceRun;
  }

  function relativeName(uri: string): string {
    return uri.slice(uri.lastIndexOf('/') + 1);
  }

  connection.listen();
}
