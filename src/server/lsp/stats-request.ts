/**
 * The dataset view's statistics: the core's stats collector (the engine of `tunesmith stats`) over
 * an open document's linted copy, with its findings and under its resolved configuration, so the
 * charts count tokens with the tokenizer and `tokens.max` its diagnostics use.
 */
import { chartsOfLines } from '../../core/stats/charts.ts';
import type { DatasetStatsResult } from '../../shared/protocol.ts';
import type { Documents } from './documents.ts';

/** Counts begun again when the document changes meanwhile, before the request gives up. */
const ATTEMPTS = 3;

export async function datasetStats(uri: string, documents: Documents): Promise<DatasetStatsResult> {
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const open = documents.inSync(uri);
    const config = open?.document.config;
    if (!open || !config)
      return {
        error:
          'Statistics need the file open in the language server (it is still starting, or the file is over 50 MB).',
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
