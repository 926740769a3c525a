/**
 * The documents open in the editor: their lifecycle (didOpen, didChange, didClose) and the server's
 * copy of each, linted incrementally as it is edited. A change goes through `checkChange` first, so
 * the copy stays equal to the editor's or publishes nothing.
 */
import type {
  Connection,
  DidChangeTextDocumentParams,
  DidCloseTextDocumentParams,
  DidOpenTextDocumentParams,
} from 'vscode-languageserver';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import type { RuleErrorHandler } from '../../core/engine/linter.ts';
import type { Checker } from '../../core/engine/rule.ts';
import { checkChange } from './document-sync.ts';
import { LintedDocument, type TextChange } from './linted-document.ts';
import type { SplitIndex } from './split-index.ts';
import type { Workspace } from './workspace.ts';

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
  /** A publication is on its way (`Publisher.schedule`). */
  scheduled: boolean;
}

/** What the rest of the server does when a document's findings may have changed. */
interface DocumentEvents {
  /** The document's copy was linted from its text for the first time. */
  linted(uri: string): void;
  /** Its findings may differ from those published: publish again. */
  changed(uri: string): void;
  /** It was closed: its diagnostics go. */
  closed(uri: string): void;
}

export class Documents {
  private readonly open = new Map<string, OpenDocument>();
  private events: DocumentEvents | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly split: SplitIndex,
    private readonly checkers: readonly Checker[],
  ) {}

  /** Set once, by the wiring: the publisher and the disk linter are made after the documents. */
  listen(events: DocumentEvents): void {
    this.events = events;
  }

  get(uri: string): OpenDocument | undefined {
    return this.open.get(uri);
  }

  /** The URIs of the open documents. */
  uris(): IterableIterator<string> {
    return this.open.keys();
  }

  has(uri: string): boolean {
    return this.open.has(uri);
  }

  /** The document's linted copy when it matches the editor's text; requests answer from it only. */
  inSync(uri: string): { document: OpenDocument; linted: LintedDocument } | undefined {
    const document = this.open.get(uri);
    const linted = document?.linted;
    if (!linted || document.outOfSync) return undefined;
    return { document, linted };
  }

  async didOpen({ textDocument }: DidOpenTextDocumentParams): Promise<void> {
    const { uri } = textDocument;
    if (this.open.has(uri))
      this.connection.console.warn(`${uri} was opened again without a close; the new text is taken`);
    const document: OpenDocument = {
      version: textDocument.version,
      linted: undefined,
      pending: [],
      outOfSync: false,
      config: undefined,
      scheduled: false,
    };
    this.open.set(uri, document);
    const config = await this.workspace.configFor(uri);
    if (this.open.get(uri) !== document) return; // closed while settings were on their way
    document.config = config;
    this.events?.linted(uri);
    document.linted = new LintedDocument(
      textDocument.text,
      config,
      this.checkers,
      this.onRuleError,
      this.split.observerFor(uri, config, this.workspace.folders),
    );
    document.linted.applyChanges(document.pending);
    document.pending = [];
    this.events?.changed(uri);
  }

  /** Applies a didChange that `checkChange` allows; says in the log what it refused and why. */
  didChange(params: DidChangeTextDocumentParams): void {
    const { console } = this.connection;
    const uri: unknown = params.textDocument?.uri;
    const document = typeof uri === 'string' ? this.open.get(uri) : undefined;
    if (typeof uri !== 'string' || !document) {
      console.warn(`Ignored a change to ${String(uri)}: it is not open (no didOpen, or closed)`);
      return;
    }
    const checked = checkChange(params.textDocument.version, params.contentChanges, document.version);
    if (checked.kind === 'stale') {
      console.warn(`Ignored a change to ${uri}: ${checked.reason} (a replay?)`);
      return;
    }
    if (checked.kind === 'malformed') {
      document.outOfSync = true;
      console.error(
        `A change to ${uri} cannot be read (${checked.reason}), so the server's copy no longer matches the editor's: its diagnostics are withdrawn until the file is closed and opened again.`,
      );
      void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    for (const warning of checked.warnings) console.warn(`A change to ${uri}: ${warning}`);
    document.version = checked.version;
    let changes = checked.changes;
    if (document.outOfSync) {
      // Only a change that replaces the whole text brings the copy back.
      const whole = changes.findLastIndex((change) => !change.range);
      if (whole === -1) return;
      changes = changes.slice(whole);
      document.outOfSync = false;
      console.info(`${uri} was replaced as a whole: its copy matches the editor's again`);
    }
    if (!document.linted) {
      for (const change of changes) document.pending.push(change);
      return;
    }
    document.linted.applyChanges(changes);
    this.events?.changed(uri);
  }

  didClose({ textDocument }: DidCloseTextDocumentParams): void {
    const { uri } = textDocument;
    if (!this.open.has(uri)) {
      this.connection.console.warn(`Ignored closing ${uri}: it is not open`);
      return;
    }
    this.open.delete(uri);
    this.split.removeFile(uri);
    this.events?.closed(uri);
  }

  /**
   * Lints every document again under its configuration: all of them resolved again after a
   * change of settings (`resolve`), or the ones kept when leakage was configured after they opened.
   */
  async reconfigure(resolve: boolean): Promise<void> {
    await Promise.all(
      [...this.open].map(async ([uri, document]) => {
        const config = resolve ? await this.workspace.configFor(uri) : document.config;
        if (this.open.get(uri) !== document || !document.linted || !config) return;
        document.config = config;
        document.linted.reconfigure(config);
        this.events?.changed(uri);
      }),
    );
  }

  private readonly onRuleError: RuleErrorHandler = (codes, line, error) => {
    const where = line === undefined ? 'the dataset index' : `line ${line + 1}`;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.connection.console.error(
      `Rule ${codes.join(', ')} failed on ${where} and was skipped there: ${detail}`,
    );
  };
}
