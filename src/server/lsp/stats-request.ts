/**
 * The dataset view's statistics: the core's stats collector (the engine of `tunesmith stats`) over
 * an open document's linted copy, with its findings and under its resolved configuration, so the
 * charts count tokens with the tokenizer and `tokens.max` its diagnostics use.
 */
import { chartsOfLines } from '../../core/stats/charts.ts';
import type { DatasetStatsResult } from '../../shared/protocol.ts';
import type { Documents } from './documents.ts';

export function datasetStats(uri: string, documents: Documents): DatasetStatsResult {
  const open = documents.inSync(uri);
  const config = open?.document.config;
  if (!open || !config)
    return {
      error:
        'Statistics need the file open in the language server (it is still starting, or the file is over 50 MB).',
    };
  const { document, linted } = open;
  const findings = linted.findings();
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  try {
    const charts = chartsOfLines(
      name,
      config,
      linted.lineCount,
      (line) => (linted.unread(line) ? undefined : linted.lineText(line)),
      findings,
    );
    return { version: document.version, ...charts };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
