/**
 * Every custom message between the extension and the language server, in one typed file (after
 * rust-analyzer's `lsp_ext.ts` and vscode-eslint's `customMessages.ts`). Both sides import the
 * constants from here, so a renamed message breaks the build instead of silently never arriving.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ChartsOfLines } from '../core/stats/charts.ts';
import type { DatasetDiff } from '../core/diff/dataset-diff.ts';

/** A dataset's summary for the status bar, sent after each lint of a document. */
export interface DatasetSummary {
  uri: string;
  examples: number;
  /** The dominant format's display name, e.g. "OpenAI chat (messages)"; "unknown" for none. */
  format: string;
  errors: number;
  warnings: number;
  /**
   * The first error by position: the reason the new-run form gives when it will not launch on the
   * file (for the errors the trainer refuses, the same reason the trainer gives; docs/data-contract.md).
   */
  firstError?: FirstError;
  /** Set when diagnostics come from the file on disk, not from the editor buffer. */
  fromDisk?: boolean;
  /** The document version the summary (and the complete diagnostics sent just before it) is for. */
  version?: number;
}

export interface FirstError {
  /** 1-based, as the editor and `tunesmith lint` show it. */
  line: number;
  code: string;
  message: string;
}

export const SummaryNotification = new NotificationType<DatasetSummary>('tunesmith/summary');

/** Server → client: a document too large for the editor to send was linted from disk instead. */
interface LargeFileNotice {
  uri: string;
  sizeBytes: number;
}
export const LargeFileNotification = new NotificationType<LargeFileNotice>('tunesmith/largeFile');

/**
 * Client → server: a dataset is shown in a tab but its text was not sent (VS Code sends no document
 * over 50 MB to extensions); lint it from disk and follow its changes while `open`.
 */
interface DiskFileParams {
  uri: string;
  open: boolean;
}
export const DiskFileNotification = new NotificationType<DiskFileParams>('tunesmith/diskFile');

/** VS Code hands no document at least this large to extensions (its model sync limit, 50 MB). */
export const LARGE_FILE_BYTES = 50 * 1024 * 1024;

/** What the client passes in `initializationOptions`. */
export interface InitializationOptions {
  /** Files at least this large are reported as linted from disk (VS Code's limit: 50 MB). */
  largeFileBytes?: number;
}

/** Client → server: lint every dataset of the workspace again (command "Tunesmith: Lint Workspace"). */
export const LintWorkspaceRequest = new RequestType0<{ files: number }, void>('tunesmith/lintWorkspace');

/** Client → server: the workspace's dataset files (tunesmith.files.include/exclude and files.exclude). */
export const DatasetFilesRequest = new RequestType0<{ uris: string[] }, void>('tunesmith/datasetFiles');

/**
 * Client → server: a dataset's lint summary: the open buffer's when it is open (once its lint is
 * complete), else a lint of the file on disk. Null when the file cannot be read.
 */
export const DatasetSummaryRequest = new RequestType<{ uri: string }, DatasetSummary | null, void>(
  'tunesmith/datasetSummary',
);

/**
 * Client → server: `tunesmith split FILE --val FRACTION` (the CLI's own code, run in the server):
 * writes FILE.train.jsonl and FILE.val.jsonl next to FILE. `error` says in plain words why not.
 */
export interface SplitParams {
  uri: string;
  fraction: number;
}
export type SplitResult = { train: string; validation: string; report: string } | { error: string };
export const SplitRequest = new RequestType<SplitParams, SplitResult, void>('tunesmith/split');

/**
 * Client → server: the dataset view's statistics of an open document (the core's stats collector,
 * src/core/stats), under the configuration and with the findings its diagnostics use, for the
 * document `version`. `error` says in plain words why there are none.
 */
export type DatasetStatsResult = (ChartsOfLines & { version: number }) | { error: string };
export const DatasetStatsRequest = new RequestType<{ uri: string }, DatasetStatsResult, void>(
  'tunesmith/datasetStats',
);

/**
 * Client → server: `tunesmith diff OLD NEW` (the core's `diffDatasets`, what the CLI runs) under the
 * configuration `uri`'s diagnostics use. The two sides are files on disk (a revision's copy, the
 * buffer as saved); `name` is how each is shown. `error` says in plain words why not.
 */
export interface DatasetDiffParams {
  uri: string;
  old: { path: string; name: string };
  new: { path: string; name: string };
  /** Examples listed of each kind. */
  limit: number;
}
export type DatasetDiffResult = { diff: DatasetDiff } | { error: string };
export const DatasetDiffRequest = new RequestType<DatasetDiffParams, DatasetDiffResult, void>(
  'tunesmith/datasetDiff',
);

/** The extension's setting section; its keys mirror `tunesmith.json`. */
export const SETTINGS_SECTION = 'tunesmith';

/** The code-action kind of "fix every mechanical problem in this file". */
export const FIX_ALL_KIND = 'source.fixAll.tunesmith';
