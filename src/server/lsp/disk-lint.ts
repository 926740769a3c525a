/**
 * Lints a dataset file that is not open with the core's streaming driver (`lintFile`, in this
 * thread): memory holds one read chunk, the dataset indexes' facts and a few bytes per line to find
 * it again, never the text, nor every finding: counts, and the ones a publication shows. Files too
 * large for the editor to send (50 MB and up) go this way, as do all others. `DiskLinter` decides
 * which files that is and when: the workspace's closed datasets, and files the editor shows without
 * their text.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FileChangeType, type Connection, type FileEvent } from 'vscode-languageserver';
import { severityOf, type ResolvedConfig } from '../../core/engine/config.ts';
import type { FormatId } from '../../core/engine/formats.ts';
import type { Checker } from '../../core/engine/rule.ts';
import type { Finding } from '../../core/engine/types.ts';
import { NotTextFile } from '../../core/io/files.ts';
import { LintSuperseded, dominantFormat, lintFile } from '../../core/lint/lint-file.ts';
import { inThreadRunner } from '../../core/lint/runner.ts';
import { INVALID_UTF8 } from '../../core/rules/syntax/line-input.ts';
import { type DatasetSummary, LargeFileNotification } from '../../shared/protocol.ts';
import type { Documents } from './documents.ts';
import type { FactsObserver } from './linted-document.ts';
import { ShownFindings, type Publisher, type SeverityCounts } from './publication.ts';
import type { SplitIndex } from './split-index.ts';
import type { Workspace } from './workspace.ts';

export interface DiskLint {
  /** The findings a publication shows (`ShownFindings`), sorted by position. */
  shown: Finding[];
  /** Every finding, counted. */
  counts: SeverityCounts;
  /** Lines that hold an example (any JSON object). */
  examples: number;
  dominantFormat: FormatId | undefined;
}

/**
 * Lints `path` line by line, then reports the dataset checkers, re-reading only the lines they
 * report on. `current()` is asked before each batch: when it turns false (the file was opened, or a
 * newer lint of it started) the lint stops and resolves to undefined, feeding the observer no more.
 * A problem reading the file is thrown as the driver's `FileProblem`.
 */
async function lintFromDisk(
  path: string,
  config: ResolvedConfig,
  checkers: readonly Checker[],
  options: {
    onRuleError?: (message: string) => void;
    observer?: FactsObserver;
    current?: () => boolean;
  } = {},
): Promise<DiskLint | undefined> {
  const { observer } = options;
  const findings = new ShownFindings();
  const runner = inThreadRunner(config, checkers);
  observer?.reset();
  try {
    const linted = await lintFile(path, {
      config,
      runner,
      checkers,
      onFinding: (finding) => findings.add(finding),
      ...(options.onRuleError ? { onRuleError: options.onRuleError } : {}),
      ...(options.current ? { current: options.current } : {}),
      ...(observer
        ? { onFacts: (line: number, facts: readonly unknown[]) => observer.added(line, facts) }
        : {}),
    });
    linted.reader.close();
    let examples = 0;
    for (const count of linted.formats.values()) examples += count;
    return {
      shown: findings.shown(),
      counts: findings.counts,
      examples,
      dominantFormat: dominantFormat(linted.formats),
    };
  } catch (error) {
    if (error instanceof LintSuperseded) return undefined;
    if (error instanceof NotTextFile) return notText(error.reason, config);
    throw error;
  } finally {
    await runner.close();
  }
}

/**
 * A UTF-16 or UTF-32 file, or a binary one, gets one finding on its first line saying what it is
 * (the CLI's words: `nonTextReason`), instead of a garbled finding per line.
 */
function notText(reason: string, config: ResolvedConfig): DiskLint {
  const findings = new ShownFindings();
  const severity = severityOf(config, INVALID_UTF8.code, INVALID_UTF8.family, INVALID_UTF8.defaultSeverity);
  if (severity !== 'off') {
    findings.add({
      code: INVALID_UTF8.code,
      severity,
      message: `Not UTF-8 text: ${reason}. Nothing else in the file was checked.`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
  }
  return { shown: findings.shown(), counts: findings.counts, examples: 0, dominantFormat: undefined };
}

/**
 * The files linted from disk: workspace datasets that are not open, and files shown in the editor
 * whose text the client could not send (each watched for changes). One lint per file at a time: an
 * older one still streaming stops when a newer starts.
 */
export class DiskLinter {
  /** The latest lint from disk of each file. */
  private readonly runs = new Map<string, object>();
  /** Files shown in the editor whose text the client could not send, with a watcher each. */
  private readonly watchers = new Map<string, FSWatcher>();
  private workspaceRun: Promise<{ files: number }> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly documents: Documents,
    private readonly publisher: Publisher,
    private readonly split: SplitIndex,
    private readonly checkers: readonly Checker[],
  ) {}

  /** Lints `uri` from disk unless it is open, publishes its findings and sends its summary. */
  async lint(uri: string): Promise<DatasetSummary | undefined> {
    let size: number;
    const path = fileURLToPath(uri);
    try {
      size = (await stat(path)).size;
    } catch {
      return;
    }
    if (this.documents.has(uri)) return;
    const config = await this.workspace.configFor(uri);
    if (this.documents.has(uri)) return; // opened meanwhile: the buffer's diagnostics win
    const run = {};
    this.runs.set(uri, run);
    const current = (): boolean => this.runs.get(uri) === run && !this.documents.has(uri);
    let linted;
    try {
      linted = await lintFromDisk(path, config, this.checkers, {
        onRuleError: (message) =>
          this.connection.console.error(`${path}: ${message}; the rule was skipped there`),
        observer: this.split.observerFor(uri, config, this.workspace.folders),
        current,
      });
    } catch (error) {
      // Deleted meanwhile: nothing to show. Anything else is said, never swallowed.
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      ) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.connection.console.error(`Internal error while linting ${path}: ${detail}`);
      }
      return;
    } finally {
      if (this.runs.get(uri) === run) this.runs.delete(uri);
    }
    if (!linted) return;
    const summary = this.publisher.publishFromDisk(uri, linted);
    if (size >= this.workspace.largeFileBytes)
      void this.connection.sendNotification(LargeFileNotification, { uri, sizeBytes: size });
    return summary;
  }

  /** Lints every closed dataset of the workspace from disk, reporting progress. One run at a time. */
  lintWorkspace(): Promise<{ files: number }> {
    this.workspaceRun ??= (async () => {
      const progress = await this.connection.window.createWorkDoneProgress();
      try {
        progress.begin('Tunesmith: linting datasets', 0, 'finding files…', false);
        const files = await this.workspace.datasetFiles();
        for (const [i, uri] of files.entries()) {
          progress.report(
            Math.round((i / Math.max(files.length, 1)) * 100),
            uri.slice(uri.lastIndexOf('/') + 1),
          );
          if (!this.documents.has(uri)) await this.lint(uri);
          await new Promise((resolve) => setImmediate(resolve)); // let edits through between files
        }
        return { files: files.length };
      } finally {
        progress.done();
        this.workspaceRun = undefined;
      }
    })();
    return this.workspaceRun;
  }

  /** A document was closed: a workspace dataset keeps its diagnostics, now from the saved file. */
  async closed(uri: string): Promise<void> {
    if (await this.workspace.contains(uri)) await this.lint(uri);
  }

  /** The workspace watcher saw these files change on disk (none of them a `tunesmith.json`). */
  async filesChanged(changes: readonly FileEvent[]): Promise<void> {
    for (const change of changes) {
      if (this.documents.has(change.uri)) continue; // the buffer, not the disk, is what the user sees
      if (change.type === FileChangeType.Deleted) {
        this.publisher.forgetDisk(change.uri);
        this.split.removeFile(change.uri);
        this.publisher.clear(change.uri);
      } else if (await this.workspace.contains(change.uri)) await this.lint(change.uri);
    }
  }

  /** The editor shows, or stopped showing, a file whose text it could not send (`DiskFileNotification`). */
  shown(uri: string, shown: boolean): void {
    const existing = this.watchers.get(uri);
    if (!shown) {
      existing?.close();
      this.watchers.delete(uri);
      void this.workspace.contains(uri).then((yes) => {
        if (!yes && !this.documents.has(uri)) this.publisher.clear(uri);
      });
      return;
    }
    if (existing || this.documents.has(uri) || !uri.startsWith('file:')) return;
    let pending = false;
    try {
      // The workspace watcher covers workspace files only; a file opened from elsewhere needs its own.
      const watcher = watch(fileURLToPath(uri), () => {
        if (pending) return;
        pending = true;
        setTimeout(() => {
          pending = false;
          void this.lint(uri);
        }, 200);
      });
      this.watchers.set(uri, watcher);
    } catch {
      return;
    }
    void this.lint(uri);
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
