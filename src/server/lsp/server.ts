/**
 * The language server: open datasets are linted incrementally as they are edited (documents.ts),
 * the rest of the workspace in the background from disk (disk-lint.ts); publication.ts sends what
 * both found, with the workspace checkers' findings (split-index.ts), and requests.ts answers from
 * them; semantic.ts adds the semantic rules' findings when edits go idle, never holding the lexical
 * ones back. Configuration is per resource (workspace.ts); a change of it lints everything again.
 * This file only wires those together and to the connection.
 */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import type { Checker } from '../../core/engine/rule.ts';
import { DiskFileNotification, FIX_ALL_KIND } from '../../shared/protocol.ts';
import { CONFIG_FILE } from '../../core/engine/config.ts';
import { DiskLinter } from './disk-lint.ts';
import { Documents } from './documents.ts';
import { Publisher } from './publication.ts';
import { Requests } from './requests.ts';
import { SemanticChecks } from './semantic.ts';
import { SplitIndex } from './split-index.ts';
import { Workspace } from './workspace.ts';

export function startServer(connection: Connection, checkers: readonly Checker[]): void {
  const workspace = new Workspace(connection);
  // The index reads open documents and reports to the publisher, both made after it.
  const split: SplitIndex = new SplitIndex(
    checkers,
    (uri: string) => documents.get(uri)?.linted?.access(),
    (uris) => publisher.leakageChanged(uris),
    (codes, error) =>
      connection.console.error(
        `Rule ${codes.join(', ')} failed across files and was skipped: ${String(error)}`,
      ),
  );
  const documents: Documents = new Documents(connection, workspace, split, checkers);
  const semantic: SemanticChecks = new SemanticChecks(
    connection,
    workspace,
    documents,
    (uri) => split.findingsFor(uri),
    (uris) => publisher.leakageChanged(uris),
  );
  const publisher = new Publisher(connection, documents, split, semantic);
  const disk = new DiskLinter(connection, workspace, documents, publisher, split, checkers);
  documents.listen({
    linted: (uri) => publisher.forgetDisk(uri),
    changed: (uri) => {
      publisher.schedule(uri);
      semantic.changed(uri);
    },
    closed: (uri) => {
      publisher.clear(uri);
      semantic.closed(uri);
      void disk.closed(uri);
    },
  });
  new Requests(workspace, documents, publisher, disk, split).register(connection);

  /** Settings or a tunesmith.json changed: every document and the workspace are linted again. */
  async function reloadConfiguration(): Promise<void> {
    workspace.clearConfigs();
    semantic.reconfigure();
    split.configure(await workspace.leakageConfig());
    await documents.reconfigure(true);
    void disk.lintWorkspace();
  }

  connection.onInitialize((params): InitializeResult => {
    workspace.initialize(params);
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
          // Saving runs the semantic checks at once, without waiting for edits to go idle.
          save: { includeText: false },
        },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Examples' },
      },
      serverInfo: { name: 'tunesmith' },
    };
  });

  connection.onInitialized(async () => {
    // Leakage uses the first folder's settings; files opened before they arrived are added again.
    split.configure(await workspace.leakageConfig());
    await documents.reconfigure(false);
    void disk.lintWorkspace();
    semantic.scheduleWorkspace();
  });

  connection.onDidOpenTextDocument((params) => documents.didOpen(params));
  connection.onDidChangeTextDocument((params) => documents.didChange(params));
  connection.onDidCloseTextDocument((params) => documents.didClose(params));
  connection.onDidSaveTextDocument(({ textDocument }) => semantic.saved(textDocument.uri));
  connection.onDidChangeConfiguration(() => reloadConfiguration());
  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    if (changes.some((change) => change.uri.endsWith(`/${CONFIG_FILE}`))) await reloadConfiguration();
    else {
      await disk.filesChanged(changes);
      await semantic.filesChanged(changes.filter((change) => !documents.has(change.uri)));
    }
  });
  connection.onNotification(DiskFileNotification, ({ uri, open }) => disk.shown(uri, open));

  connection.onShutdown(async () => {
    split.dispose();
    disk.dispose();
    await semantic.dispose();
  });

  connection.listen();
}
