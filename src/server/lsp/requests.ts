/**
 * The requests the server answers: the editor's (code actions, hover, the outline) from an open
 * document's linted copy and the workspace's leakage findings, through the pure functions of
 * features.ts; and Tunesmith's own (`tunesmith/...` in shared/protocol.ts) about the workspace's
 * datasets. A document whose copy is out of sync with the editor answers nothing.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type {
  CodeAction,
  CodeActionParams,
  Connection,
  DocumentSymbol,
  DocumentSymbolParams,
  Hover,
  HoverParams,
} from 'vscode-languageserver';
import { compareFindings } from '../../core/engine/linter.ts';
import type { Finding } from '../../core/engine/types.ts';
import {
  DatasetDiffRequest,
  DatasetFilesRequest,
  DatasetStatsRequest,
  DatasetSummaryRequest,
  LintWorkspaceRequest,
  SplitRequest,
  type DatasetSummary,
} from '../../shared/protocol.ts';
import { diffRequest } from './diff-request.ts';
import type { DiskLinter } from './disk-lint.ts';
import type { Documents } from './documents.ts';
import { codeActions, hoverFor, symbolFor } from './features.ts';
import type { Publisher } from './publication.ts';
import type { SplitIndex } from './split-index.ts';
import { splitDataset } from './split-request.ts';
import { datasetStats } from './stats-request.ts';
import type { Workspace } from './workspace.ts';

export class Requests {
  constructor(
    private readonly workspace: Workspace,
    private readonly documents: Documents,
    private readonly publisher: Publisher,
    private readonly disk: DiskLinter,
    private readonly split: SplitIndex,
  ) {}

  /** Registers every request handler on the connection. */
  register(connection: Connection): void {
    connection.onCodeAction((params) => this.codeActions(params));
    connection.onHover((params) => this.hover(params));
    connection.onDocumentSymbol((params) => this.symbols(params));
    connection.onRequest(LintWorkspaceRequest, () => this.disk.lintWorkspace());
    connection.onRequest(DatasetFilesRequest, async () => ({
      uris: (await this.workspace.datasetFiles()).sort(),
    }));
    connection.onRequest(DatasetSummaryRequest, ({ uri }) => this.datasetSummary(uri));
    connection.onRequest(DatasetStatsRequest, ({ uri }, token) =>
      datasetStats(uri, this.documents, {
        connection,
        workspace: this.workspace,
        publisher: this.publisher,
        disk: this.disk,
        token,
      }),
    );
    connection.onRequest(SplitRequest, async (params) =>
      splitDataset(params, await this.workspace.configFor(params.uri)),
    );
    connection.onRequest(DatasetDiffRequest, async (params) =>
      diffRequest(params, await this.workspace.configFor(params.uri), (message) =>
        connection.console.error(message),
      ),
    );
  }

  codeActions({ textDocument, range, context }: CodeActionParams): CodeAction[] {
    const { uri } = textDocument;
    const open = this.documents.inSync(uri);
    if (!open) return [];
    const { document, linted } = open;
    const near = [
      ...linted.findingsOn(range.start.line, range.end.line),
      ...this.leaksOn(uri, range.start.line, range.end.line),
    ];
    const all = (): Finding[] => [...linted.findings(), ...this.split.findingsFor(uri)].sort(compareFindings);
    const unread = (line: number): boolean => linted.unread(line);
    return codeActions(near, all, uri, document.version, range, context.only, unread);
  }

  hover({ textDocument, position }: HoverParams): Hover | undefined {
    const open = this.documents.inSync(textDocument.uri);
    const context = open?.linted.context(position.line);
    if (!open?.document.config || !context) return undefined;
    const { line } = position;
    const near = [...open.linted.findingsOn(line, line), ...this.leaksOn(textDocument.uri, line, line)];
    return hoverFor(context, near, position.character, open.document.config);
  }

  symbols({ textDocument }: DocumentSymbolParams): DocumentSymbol[] {
    const linted = this.documents.inSync(textDocument.uri)?.linted;
    if (!linted) return [];
    const symbols = [];
    for (let line = 0; line < linted.lineCount; line++) {
      const context = linted.context(line);
      const symbol = context && symbolFor(context);
      if (symbol) symbols.push(symbol);
    }
    return symbols;
  }

  /** The open buffer's summary when it is open, else a lint from disk's; null when it cannot be read. */
  async datasetSummary(uri: string): Promise<DatasetSummary | null> {
    const open = this.documents.get(uri)?.linted !== undefined;
    // A lint from disk started meanwhile (the workspace lint) supersedes ours: ask again.
    for (let attempt = 0; !open && attempt < 3; attempt++) {
      const summary = await this.disk.lint(uri);
      if (summary) return summary;
      if (this.documents.has(uri) || !(await stat(fileURLToPath(uri)).catch(() => undefined))) break;
    }
    if (!open) return null;
    return this.publisher.summaryOf(uri) ?? null;
  }

  /** The leakage findings of `uri` whose range starts on a line from `first` to `last`. */
  private leaksOn(uri: string, first: number, last: number): Finding[] {
    return this.split
      .findingsFor(uri)
      .filter((f) => f.range.start.line >= first && f.range.start.line <= last);
  }
}
