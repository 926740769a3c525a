/**
 * The dataset view's statistics: the core's stats collector (the engine of `tunesmith stats`) over
 * an open document's linted copy, with its findings and under its resolved configuration, so the
 * charts count tokens with the tokenizer and `tokens.max` its diagnostics use. A file the server
 * knows only on disk (the from-disk view of one over 50 MB) is streamed through the same collector
 * from disk, with its last lint from disk's findings, reporting progress, and stops when the request
 * is cancelled (the view closed), the file is opened, or it changes on disk.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import { chartsOfFile, chartsOfLines } from '../../core/stats/charts.ts';
import type { DatasetStatsResult } from '../../shared/protocol.ts';
import type { DiskLinter } from './disk-lint.ts';
import type { Documents } from './documents.ts';
import type { Publisher } from './publication.ts';
import type { Workspace } from './workspace.ts';

/** Counts begun again when the document changes meanwhile, before the request gives up. */
const ATTEMPTS = 3;

/** What a count from disk needs besides the open documents. */
interface DiskStatsContext {
  connection: Connection;
  workspace: Workspace;
  publisher: Publisher;
  disk: DiskLinter;
  token?: CancellationToken;
}

export async function datasetStats(
  uri: string,
  documents: Documents,
  fromDisk?: DiskStatsContext,
): Promise<DatasetStatsResult> {
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const open = documents.inSync(uri);
    const config = open?.document.config;
    if (!open && !documents.has(uri) && fromDisk && uri.startsWith('file:'))
      return statsFromDisk(uri, name, documents, fromDisk);
    if (!open || !config)
      return {
        error: 'Statistics need the file open in the language server (it is still starting).',
      };
    const { document, linted } = open;
    const version = document.version;
    // The count yields to the server's other work; an edit meanwhile makes it start again.
    const current = () => documents.inSync(uri)?.document.version === version;
    try {
      const charts = await chartsOfLines(
        name,
        config,
        linted.lineCount,
        (line) => (linted.unread(line) ? undefined : linted.lineText(line)),
        () => linted.findings(),
        current,
      );
      if (charts && current()) return { version, ...charts };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return { error: 'The file kept changing while its statistics were counted: they follow when it settles.' };
}

/** The file's identity on disk: a different one means it changed since the count began. */
async function stamp(path: string): Promise<string | undefined> {
  return stat(path).then(
    (s) => `${s.size}:${s.mtimeMs}`,
    () => undefined,
  );
}

/**
 * Streams `uri` from disk through the collector. Its version is 0: the server keeps no versions of
 * files on disk, and the host matches the answer to the copy of the file it asked about.
 */
async function statsFromDisk(
  uri: string,
  name: string,
  documents: Documents,
  { connection, workspace, publisher, disk, token }: DiskStatsContext,
): Promise<DatasetStatsResult> {
  const path = fileURLToPath(uri);
  const before = await stamp(path);
  if (before === undefined) return { error: `${name} cannot be read from disk.` };
  // The charts' duplicate, PII and secret bars are findings: lint it first if it never was.
  if (!publisher.diskFindings(uri)) await disk.lint(uri);
  const config = await workspace.configFor(uri);
  const size = Number(before.split(':')[0]);
  const progress = await connection.window.createWorkDoneProgress();
  progress.begin(`Tunesmith: statistics of ${name}`, 0, 'counting tokens…', true);
  let changed = false;
  const current = async (): Promise<boolean> => {
    if (token?.isCancellationRequested || progress.token.isCancellationRequested) return false;
    if (documents.has(uri) || (await stamp(path)) !== before) return !(changed = true);
    return true;
  };
  try {
    const charts = await chartsOfFile(
      path,
      name,
      config,
      () => publisher.diskFindings(uri) ?? [],
      current,
      (lines, bytes) =>
        progress.report(Math.min(99, Math.floor((bytes / Math.max(size, 1)) * 100)), `${lines} lines`),
    );
    if (!charts)
      return {
        error: changed
          ? 'The file changed while its statistics were counted: they follow when it is read again.'
          : 'The count of the statistics was cancelled.',
      };
    return { version: 0, ...charts };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    progress.done();
  }
}
