/**
 * The semantic rules in the editor (`semantic/near-duplicate`, `semantic/conflict`,
 * `split/semantic-leak`): the core's pass (core/semantic/pass.ts), the CLI's, run off the lexical
 * path. An open document is checked soon after it opens or is saved, and once edits have been idle
 * for `IDLE_MS`; the workspace's split (every training and validation file, open or not) is checked
 * for semantic leaks as a whole-workspace pass with work-done progress. The findings reach the editor
 * through the publisher beside the lexical ones, which never wait for them: a pass starts on a timer,
 * runs in the model's worker thread (one per model; embedding and the quadratic comparisons alike,
 * this thread only reads the examples), and is cancelled, or its result dropped, when the document
 * changes meanwhile (a generation counter per document, one for the workspace pass). Embeddings are
 * cached by content hash (the CLI's `.tunesmith/embeddings/`), so an edit re-embeds only the examples
 * it changed. Without a model the rules are off and the user is told once per session how to get one.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageType, ShowMessageNotification, type Connection, type FileEvent } from 'vscode-languageserver';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import { compareFindings } from '../../core/engine/linter.ts';
import type { Finding } from '../../core/engine/types.ts';
import { modelKey, workspaceCacheDir } from '../../core/semantic/cache.ts';
import {
  semanticExample,
  semanticExamplesOfText,
  type SemanticExample,
} from '../../core/semantic/examples.ts';
import { defaultModelDir, findEmbeddingModel, type EmbeddingModelFiles } from '../../core/semantic/model.ts';
import { comparedExamples, semanticRulesOn, type SemanticFile } from '../../core/semantic/pass.ts';
import { modelOffInfo, semanticModel } from '../../core/semantic/run.ts';
import { EmbeddingWorker, type WorkerPassResult } from '../../core/semantic/worker-client.ts';
import { WORKSPACE_CHECKERS } from '../../core/rules/workspace.ts';
import type { Documents } from './documents.ts';
import type { LintedDocument } from './linted-document.ts';
import { SplitIndex } from './split-index.ts';
import type { Workspace } from './workspace.ts';

/** How long after the last edit of a document its semantic pass runs. */
const IDLE_MS = 1500;
/** After an open or a save: at once, but behind the lexical publication (setImmediate) it follows. */
const SOON_MS = 20;
/** Lines of an open document read between two turns of the event loop, so edits get through. */
const LINES_PER_TURN = 500;

const NONE: readonly Finding[] = Object.freeze([]);

/** What the workspace pass reports: the codes of the workspace checkers (`split/semantic-leak`). */
const CROSS_FILE_CODES = new Set(WORKSPACE_CHECKERS.flatMap((c) => c.rules.map((rule) => rule.code)));

/** Thrown inside a pass whose document (or workspace) changed since it started; never shown. */
class Superseded extends Error {}

interface LoadedModel {
  readonly files: EmbeddingModelFiles;
  readonly key: string;
  readonly worker: EmbeddingWorker;
  /** Rejects when the model would not load (shown to the user once). */
  readonly ready: Promise<void>;
}

export class SemanticChecks {
  /** Open documents' within-file findings (near-duplicate, conflict). */
  private readonly within = new Map<string, readonly Finding[]>();
  /** Validation files' leak findings, from the last workspace pass. */
  private leaks = new Map<string, readonly Finding[]>();
  /** Both, sorted, the same array until either changes (the publisher caches by identity). */
  private readonly combined = new Map<string, readonly Finding[]>();
  private readonly generations = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents checked at least once since they opened (or since the configuration changed). */
  private readonly checked = new Set<string>();
  /** The line count each document's findings were computed at: a different count moves lines. */
  private readonly linesAt = new Map<string, number>();
  private workspaceGeneration = 0;
  private workspaceTimer: ReturnType<typeof setTimeout> | undefined;
  /** One worker per model file. */
  private readonly models = new Map<string, LoadedModel>();
  /** Each document's pass in the worker, and the workspace pass (''), while they run. */
  private readonly running = new Map<
    string,
    { cancel: () => void; result: Promise<unknown>; model: LoadedModel }
  >();
  /** Said once per session: no model. Said once until settings change: each failure, a file over maxExamples. */
  private toldNoModel = false;
  private readonly told = new Set<string>();
  private disposed = false;

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly documents: Documents,
    /** The workspace's lexical leakage findings: the pairs they link are not reported again. */
    private readonly lexicalLeaks: (uri: string) => readonly Finding[],
    /** Called with the files whose semantic findings changed. */
    private readonly onChanged: (uris: string[]) => void,
  ) {}

  /** The file's semantic findings, sorted; the same array until they change. */
  findingsFor(uri: string): readonly Finding[] {
    return this.combined.get(uri) ?? NONE;
  }

  /** The document was opened or edited: checked soon after it opens, else once edits go idle. */
  changed(uri: string): void {
    const generation = this.bump(uri);
    const lines = this.documents.get(uri)?.linted?.lineCount;
    // Lines moved: the findings would point at the wrong examples until the next pass.
    if (this.linesAt.has(uri) && lines !== this.linesAt.get(uri)) {
      this.linesAt.delete(uri);
      this.setWithin(uri, undefined);
      if (this.leaks.has(uri)) {
        this.leaks.delete(uri);
        this.recombine(uri);
      }
      this.onChanged([uri]);
    }
    this.schedule(uri, generation, this.checked.has(uri) ? IDLE_MS : SOON_MS);
  }

  saved(uri: string): void {
    if (this.documents.has(uri)) this.schedule(uri, this.bump(uri), SOON_MS);
  }

  closed(uri: string): void {
    this.bump(uri);
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.checked.delete(uri);
    this.linesAt.delete(uri);
    this.setWithin(uri, undefined);
    // A split file's saved text is what the workspace pass reads now.
    void this.ifSplitFile([uri]).then((yes) => yes && this.scheduleWorkspace());
  }

  /** Files changed on disk: the workspace pass runs again when one of them is on a side of the split. */
  async filesChanged(changes: readonly FileEvent[]): Promise<void> {
    if (await this.ifSplitFile(changes.map((change) => change.uri))) this.scheduleWorkspace();
  }

  /**
   * Settings changed (or the model was fetched): models whose files changed are restarted, every
   * open document is checked again (Documents.reconfigure calls `changed`), and the workspace pass
   * runs again. The no-model notice is not repeated.
   */
  reconfigure(): void {
    this.checked.clear();
    for (const [path, model] of this.models) {
      const now = findEmbeddingModel(model.files.dir, basename(path));
      if (now && modelKey(now) === model.key) continue;
      this.models.delete(path);
      void this.stop(model);
    }
    this.told.clear();
    this.scheduleWorkspace();
  }

  /** Runs the workspace pass after a moment, coalescing a burst of triggers. */
  scheduleWorkspace(delay = SOON_MS): void {
    this.running.get('')?.cancel();
    const generation = ++this.workspaceGeneration;
    clearTimeout(this.workspaceTimer);
    this.workspaceTimer = setTimeout(() => {
      this.workspaceTimer = undefined;
      void this.runWorkspace(generation).catch((error: unknown) => this.failed('the workspace', error));
    }, delay);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    clearTimeout(this.workspaceTimer);
    await Promise.all([...this.models.values()].map((model) => this.stop(model)));
    this.models.clear();
  }

  private bump(uri: string): number {
    this.running.get(uri)?.cancel();
    const generation = (this.generations.get(uri) ?? 0) + 1;
    this.generations.set(uri, generation);
    return generation;
  }

  private schedule(uri: string, generation: number, delay: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.runDocument(uri, generation).catch((error: unknown) => this.failed(uri, error));
      }, delay),
    );
  }

  /** One open document's within-file pass. */
  private async runDocument(uri: string, generation: number): Promise<void> {
    const current = (): void => {
      if (this.disposed || this.generations.get(uri) !== generation) throw new Superseded();
    };
    const open = this.documents.inSync(uri);
    const config = open?.document.config;
    if (!open || !config) return;
    this.checked.add(uri);
    const { linted } = open;
    const lines = linted.lineCount;
    if (!semanticRulesOn(config)) {
      this.finishDocument(uri, lines, []);
      return;
    }
    const target = this.target(config, this.rootOf(uri));
    if (!target) {
      this.finishDocument(uri, lines, []);
      return;
    }
    const examples = await documentExamples(linted, current);
    const lexical = linted.findings(true).filter(linksPair);
    const file: SemanticFile = { file: uri, role: undefined, examples, lexical };
    if (!this.withinLimit([file], config, uri)) {
      this.finishDocument(uri, lines, []);
      return;
    }
    const outcome = await this.inWorker(uri, target, [file], config);
    current();
    if (outcome.state === 'cancelled') return;
    this.finishDocument(uri, lines, outcome.findings.get(uri) ?? []);
    // A split file's examples feed the other side's leak findings.
    if (await this.ifSplitFile([uri])) this.scheduleWorkspace();
  }

  private finishDocument(uri: string, lines: number, findings: readonly Finding[]): void {
    this.linesAt.set(uri, lines);
    if (sameFindings(this.within.get(uri) ?? NONE, findings)) return;
    this.setWithin(uri, findings);
    this.onChanged([uri]);
  }

  /** The workspace's split, training against validation files: `split/semantic-leak`. */
  private async runWorkspace(generation: number): Promise<void> {
    const current = (): void => {
      if (this.disposed || this.workspaceGeneration !== generation) throw new Superseded();
    };
    const config = await this.workspace.leakageConfig();
    current();
    const uris = await this.splitFiles(config);
    current();
    const roles = uris.map((uri) => this.roleOf(uri, config));
    const useful = semanticRulesOn(config) && roles.includes('train') && roles.includes('validation');
    const target = useful ? this.target(config, this.rootOf(uris[0]!)) : undefined;
    if (!target) {
      this.replaceLeaks(new Map());
      return;
    }
    const progress = await this.connection.window.createWorkDoneProgress();
    try {
      progress.begin('Tunesmith: semantic checks', 0, `reading ${uris.length} files…`, false);
      const files: SemanticFile[] = [];
      for (const [i, uri] of uris.entries()) {
        const open = this.documents.inSync(uri);
        const examples = open
          ? await documentExamples(open.linted, current)
          : await diskExamples(uri, config);
        current();
        files.push({
          file: uri,
          role: roles[i],
          examples,
          lexical: this.lexicalLeaks(uri).filter(linksPair),
          compareWithin: false,
        });
      }
      if (!this.withinLimit(files, config, 'the workspace split')) {
        this.replaceLeaks(new Map());
        return;
      }
      const total = files.reduce((sum, file) => sum + file.examples.length, 0);
      let done = 0;
      progress.report(0, `comparing ${total} examples…`);
      const outcome = await this.inWorker('', target, files, config, (count) => {
        done += count;
        const percent = Math.min(99, Math.round((done / Math.max(total, 1)) * 100));
        progress.report(percent, `embedded ${done} new examples`);
      });
      current();
      if (outcome.state === 'cancelled') return;
      const leaks = new Map<string, readonly Finding[]>();
      for (const [uri, list] of outcome.findings) {
        const only = list.filter((finding) => CROSS_FILE_CODES.has(finding.code));
        if (only.length > 0) leaks.set(uri, only);
      }
      this.replaceLeaks(leaks);
    } finally {
      progress.done();
    }
  }

  private replaceLeaks(next: Map<string, readonly Finding[]>): void {
    const changed = [...new Set([...this.leaks.keys(), ...next.keys()])].filter(
      (uri) => !sameFindings(this.leaks.get(uri) ?? NONE, next.get(uri) ?? NONE),
    );
    this.leaks = next;
    for (const uri of changed) this.recombine(uri);
    if (changed.length > 0) this.onChanged(changed);
  }

  private setWithin(uri: string, findings: readonly Finding[] | undefined): void {
    if (findings && findings.length > 0) this.within.set(uri, findings);
    else this.within.delete(uri);
    this.recombine(uri);
  }

  private recombine(uri: string): void {
    const a = this.within.get(uri) ?? NONE;
    const b = this.leaks.get(uri) ?? NONE;
    if (a.length + b.length === 0) this.combined.delete(uri);
    else this.combined.set(uri, [...a, ...b].sort(compareFindings));
  }

  /**
   * The model a pass under `config` runs with and the cache it reads, or undefined while there is no
   * model (the user is told once how to get one).
   */
  private target(
    config: ResolvedConfig,
    root: string | undefined,
  ): { model: LoadedModel; cacheDir: string } | undefined {
    // A relative modelPath without a workspace folder is read from the server's directory.
    const files = semanticModel(config, root ?? process.cwd());
    if (!files) {
      if (!this.toldNoModel) {
        this.toldNoModel = true;
        const info = modelOffInfo(config);
        this.connection.console.info(info);
        // A notification, not `showInformationMessage` (a request the client may not answer).
        void this.connection.sendNotification(ShowMessageNotification.type, {
          type: MessageType.Info,
          message: info,
        });
      }
      return undefined;
    }
    // Without a workspace folder (an untitled document, a loose file): beside the model's cache.
    const cacheDir = root ? workspaceCacheDir(root) : join(dirname(dirname(defaultModelDir())), 'embeddings');
    return { model: this.model(files), cacheDir };
  }

  /** Runs a pass in the model's worker; `key` ('' for the workspace) cancels it when superseded. */
  private async inWorker(
    key: string,
    { model, cacheDir }: { model: LoadedModel; cacheDir: string },
    files: readonly SemanticFile[],
    config: ResolvedConfig,
    onEmbedded?: (count: number) => void,
  ): Promise<WorkerPassResult> {
    await model.ready;
    const run = model.worker.pass(files, config, cacheDir, onEmbedded);
    const entry = { cancel: run.cancel, result: run.result, model };
    this.running.set(key, entry);
    try {
      const outcome = await run.result;
      if (outcome.state === 'done' && outcome.notice) this.tellOnce(outcome.notice, outcome.notice);
      return outcome;
    } finally {
      if (this.running.get(key) === entry) this.running.delete(key);
    }
  }

  /**
   * Ends a model's worker once its passes have stopped (cancelled, they stop at the next batch):
   * terminating a thread in the middle of an onnxruntime call aborts the whole process.
   */
  private async stop(model: LoadedModel): Promise<void> {
    const passes = [...this.running.values()].filter((entry) => entry.model === model);
    for (const entry of passes) entry.cancel();
    const settled = Promise.allSettled(passes.map((entry) => entry.result));
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await model.worker.dispose();
  }

  private model(files: EmbeddingModelFiles): LoadedModel {
    let model = this.models.get(files.model);
    if (!model) {
      const worker = new EmbeddingWorker(files);
      const ready = worker.ready.then(
        ({ provider, notice }) => {
          this.connection.console.info(`Semantic checks: ${files.manifest.name} loaded (${provider})`);
          if (notice) this.connection.console.warn(notice);
        },
        (error: unknown) => {
          // Shown, not only logged: the user who fetched the model would otherwise wait for findings.
          const message = `Semantic checks are off: the embedding model in ${files.dir} did not load (${
            error instanceof Error ? error.message.split('\n')[0] : String(error)
          }). See the Tunesmith log.`;
          void this.connection.sendNotification(ShowMessageNotification.type, {
            type: MessageType.Warning,
            message,
          });
          throw error;
        },
      );
      model = { files, key: modelKey(files), worker, ready };
      this.models.set(files.model, model);
      ready.catch(() => undefined);
    }
    return model;
  }

  private withinLimit(files: readonly SemanticFile[], config: ResolvedConfig, what: string): boolean {
    const compared = comparedExamples(files);
    if (compared <= config.semantic.maxExamples) return true;
    this.tellOnce(
      `maxExamples ${what} ${compared}`,
      `Semantic checks skipped for ${what}: ${compared} distinct prompts, more than semantic.maxExamples (${config.semantic.maxExamples})`,
    );
    return false;
  }

  private failed(where: string, error: unknown): void {
    if (error instanceof Superseded) return;
    const message = error instanceof Error ? error.message : String(error);
    // A model that does not load fails every pass alike: said once, and the rules stay silent.
    this.tellOnce(message, `Semantic checks failed for ${where}: ${message}`);
    if (where === 'the workspace') this.replaceLeaks(new Map());
    else {
      this.setWithin(where, undefined);
      this.onChanged([where]);
    }
  }

  private tellOnce(key: string, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.connection.console.warn(message);
  }

  private rootOf(uri: string): string | undefined {
    const folder =
      this.workspace.folders.find((f) => uri.startsWith(f.endsWith('/') ? f : `${f}/`)) ??
      this.workspace.folders[0];
    return folder?.startsWith('file:') ? fileURLToPath(folder) : undefined;
  }

  private roleOf(uri: string, config: ResolvedConfig): 'train' | 'validation' | undefined {
    return SplitIndex.roleOf(uri, config, this.workspace.folders);
  }

  /** The workspace's datasets and open documents on a side of the split. */
  private async splitFiles(config: ResolvedConfig): Promise<string[]> {
    const uris = new Set(await this.workspace.datasetFiles());
    for (const uri of this.documents.uris()) uris.add(uri);
    return [...uris].filter((uri) => this.roleOf(uri, config) !== undefined).sort();
  }

  private async ifSplitFile(uris: readonly string[]): Promise<boolean> {
    const config = await this.workspace.leakageConfig();
    return uris.some((uri) => this.roleOf(uri, config) !== undefined);
  }
}

/** An open document's examples, read from its lines a turn of the event loop at a time. */
async function documentExamples(linted: LintedDocument, current: () => void): Promise<SemanticExample[]> {
  const examples: SemanticExample[] = [];
  for (let line = 0; line < linted.lineCount; line++) {
    if (line > 0 && line % LINES_PER_TURN === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      current();
    }
    if (linted.unread(line)) continue;
    const context = linted.context(line);
    const example = context && semanticExample(context);
    if (example) examples.push(example);
  }
  return examples;
}

/** A closed file's examples, from its saved text; none when it cannot be read. */
async function diskExamples(uri: string, config: ResolvedConfig): Promise<SemanticExample[]> {
  try {
    return semanticExamplesOfText(await readFile(fileURLToPath(uri), 'utf8'), config);
  } catch {
    return []; // deleted or unreadable: the lexical lint says so
  }
}

/** Findings that link two examples (duplicates, conflicts, leakage): the pairs the pass leaves alone. */
function linksPair(finding: Finding): boolean {
  return (
    finding.related !== undefined &&
    (finding.code.startsWith('consistency/') || finding.code === 'split/leakage')
  );
}

function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
