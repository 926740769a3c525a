/**
 * A real LSP client over stdio (vscode-languageserver-protocol), for the protocol tests and the
 * latency bench: it spawns a server process, answers its configuration and progress requests as an
 * editor would, and waits for published diagnostics of a given document version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export interface ClientOptions {
  /** Command and arguments that start the server speaking LSP on stdio. */
  command: string[];
  /** What `workspace/configuration` answers for the `tunesmith` section. */
  settings?: unknown;
  workspaceFolders?: { uri: string; name: string }[];
  /** Answers for other configuration sections, e.g. `files.exclude`. */
  sections?: Record<string, unknown>;
  initializationOptions?: unknown;
  /** How long a wait for the server may take before it fails with what it saw (default 60 s). */
  waitMs?: number;
}

/** How long a test waits for the server before failing with what it saw (a run takes well under 1 s). */
const WAIT_MS = 60_000;

type Waiter = { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void };

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcess;
  /** Latest diagnostics per URI. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly logs: string[] = [];
  /** The logged errors and warnings only (not the info lines, such as the semantic model's loading). */
  readonly warnings: string[] = [];
  /** Every custom notification, `$/progress` value and `window/showMessage` received, in order. */
  readonly notifications: { method: string; params: unknown }[] = [];
  private waiters: Waiter[] = [];
  private publishListeners: ((params: PublishDiagnosticsParams) => void)[] = [];
  private completeWaiters: { uri: string; version: number; resolve: () => void }[] = [];
  private versions = new Map<string, number>();
  settings: unknown;

  private constructor(private readonly options: ClientOptions) {
    const [command, ...args] = options.command;
    this.process = spawn(command!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.settings = options.settings ?? {};
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.process.stdout!),
      new StreamMessageWriter(this.process.stdin!),
    );
    this.connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) =>
        item.section === 'tunesmith' ? this.settings : (options.sections?.[item.section ?? ''] ?? {}),
      ),
    );
    this.connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    this.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      this.logs.push(params.message);
      if (params.type <= 2) this.warnings.push(params.message); // MessageType.Error = 1, Warning = 2
    });
    for (const method of ['$/progress', 'tunesmith/summary', 'tunesmith/largeFile', 'window/showMessage']) {
      this.connection.onNotification(method, (params: unknown) => {
        this.notifications.push({ method, params });
        if (method !== 'tunesmith/summary') return;
        const { uri, version } = params as { uri: string; version?: number };
        this.completeWaiters = this.completeWaiters.filter((waiter) => {
          const matches = waiter.uri === uri && waiter.version === version;
          if (matches) waiter.resolve();
          return !matches;
        });
      });
    }
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params);
      for (const listener of this.publishListeners) listener(params);
      this.waiters = this.waiters.filter((waiter) => {
        const matches =
          waiter.uri === params.uri && (waiter.version === undefined || params.version === waiter.version);
        if (matches) waiter.resolve(params);
        return !matches;
      });
    });
    this.connection.listen();
  }

  static async start(options: ClientOptions): Promise<LspClient> {
    const client = new LspClient(options);
    await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: options.workspaceFolders?.[0]?.uri ?? null,
      initializationOptions: options.initializationOptions,
      workspaceFolders: options.workspaceFolders ?? null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        window: { workDoneProgress: true },
        textDocument: {
          publishDiagnostics: {
            relatedInformation: true,
            versionSupport: true,
            codeDescriptionSupport: true,
          },
        },
      },
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Resolves with the next diagnostics for `uri` at `version` (any version when omitted). */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return this.within(
      new Promise((resolve) => this.waiters.push({ uri, version, resolve })),
      `diagnostics of ${uri}${version === undefined ? '' : ` version ${version}`}`,
    );
  }

  /**
   * Fails a wait that the server never answers, saying what was awaited and what did arrive, instead of
   * leaving the test (and CI) hanging: a hang of unknown cause once used up a whole CI run.
   */
  private within<T>(promise: Promise<T>, awaited: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const waitMs = this.options.waitMs ?? WAIT_MS;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const uris = [...this.diagnostics.values()].slice(-3).map((p) => `${p.uri} v${String(p.version)}`);
        const summaries = this.notifications
          .filter((n) => n.method === 'tunesmith/summary')
          .slice(-3)
          .map((n) => JSON.stringify(n.params));
        reject(
          new Error(
            `No ${awaited} within ${waitMs / 1000} s. Server ${
              this.process.exitCode === null && this.process.signalCode === null
                ? 'still running'
                : `exited (${String(this.process.exitCode ?? this.process.signalCode)})`
            }; last diagnostics: ${uris.join(', ') || 'none'}; last summaries: ${summaries.join(' ') || 'none'}; last logs: ${this.logs.slice(-3).join(' | ') || 'none'}`,
          ),
        );
      }, waitMs);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Resolves with the complete diagnostics of `uri` at `version`: the server publishes what it knows
   * at once, then the complete set followed by the summary for that version.
   */
  complete(uri: string, version: number): Promise<Diagnostic[]> {
    return this.within(
      new Promise((resolve) =>
        this.completeWaiters.push({
          uri,
          version,
          resolve: () => resolve(this.diagnostics.get(uri)?.diagnostics ?? []),
        }),
      ),
      `summary of ${uri} version ${version}`,
    );
  }

  async open(uri: string, text: string): Promise<Diagnostic[]> {
    const published = this.complete(uri, 1);
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'jsonl', version: 1, text },
    });
    return published;
  }

  /** Calls `listener` with every diagnostics publication, after the client has recorded it. */
  onPublish(listener: (params: PublishDiagnosticsParams) => void): void {
    this.publishListeners.push(listener);
  }

  /**
   * Sends one didChange without waiting for the server; returns its version: the next one, or
   * `version` (which may be an old one, as a misbehaving client would send).
   */
  async send(uri: string, changes: TextDocumentContentChangeEvent[], version?: number): Promise<number> {
    version ??= (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, Math.max(version, this.versions.get(uri) ?? 0));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return version;
  }

  /** Sends one didChange and resolves with the complete diagnostics of the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<Diagnostic[]> {
    const published = this.complete(uri, this.version(uri) + 1);
    await this.send(uri, changes);
    return published;
  }

  /** Writes bytes to the server as they are, framing and all: for the tests of malformed frames. */
  writeRaw(bytes: string): void {
    this.process.stdin!.write(bytes);
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async stop(): Promise<void> {
    try {
      await this.within(this.connection.sendRequest('shutdown'), 'answer to shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // the server may already be gone (the crash tests kill it)
    }
    this.connection.dispose();
    // A server that exits by itself writes what it was asked to on exit (a --cpu-prof profile).
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      const timer = setTimeout(() => this.process.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Applies LSP edits (non-overlapping, in any order) to a text, as an editor would. */
export function applyEdits(
  text: string,
  edits: readonly { range: { start: Position; end: Position }; newText: string }[],
): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: Position): number =>
    p.line < starts.length ? Math.min(starts[p.line]! + p.character, text.length) : text.length;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const edit of sorted)
    out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
  return out;
}

interface Position {
  line: number;
  character: number;
}

/** The LSP position of a character offset in a text (lines split on `\n`). */
/** A generated edit: where (a fraction of the text), how many characters it replaces, and with what. */
export interface RandomEdit {
  at: number;
  length: number;
  text: string;
}

/**
 * Applies a generated edit to `text` as an editor would send it: never between the two characters of
 * a CRLF. Returns the new text and the LSP change, with positions from `toPosition`.
 */
export function applyRandomEdit(
  text: string,
  edit: RandomEdit,
  toPosition: (text: string, offset: number) => Position = positionAt,
): { text: string; change: { range: { start: Position; end: Position }; text: string } } {
  let start = Math.floor(edit.at * text.length);
  if (text[start - 1] === '\r' && text[start] === '\n') start--;
  let end = Math.min(text.length, start + edit.length);
  if (text[end - 1] === '\r' && text[end] === '\n') end++;
  const range = { start: toPosition(text, start), end: toPosition(text, end) };
  return { text: text.slice(0, start) + edit.text + text.slice(end), change: { range, text: edit.text } };
}

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
