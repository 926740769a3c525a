/**
 * The dataset view's statistics on the host: asked of the language server (`tunesmith/datasetStats`,
 * the core's stats collector over its copy of the document, with its findings and configuration),
 * sent to the view while it shows them, and kept for the filters whose token bounds need each line's
 * token count, which only the server's tokenizer can give. No `vscode`: the session hands in how to
 * ask and post, and the unit tests do the same.
 */
import type { DatasetCharts, DatasetHostMessage } from '../../shared/dataset-protocol.ts';
import type { DatasetStatsResult } from '../../shared/protocol.ts';
import type { TokensOf } from './rows.ts';

/** `signal` aborts when the view closes: the server stops a count from disk it is still streaming. */
export type StatsRequester = (uri: string, signal?: AbortSignal) => Promise<DatasetStatsResult>;

/**
 * The requester of a view of a file on disk: the server counts it from disk and answers version 0
 * (it keeps no versions of files on disk), so the answer is of the copy the view had read when it
 * asked (`version()` then), stale once the view reads the file again.
 */
export function fromDisk(request: StatsRequester, version: () => number): StatsRequester {
  return async (uri, signal) => {
    const asked = version();
    const result = await request(uri, signal);
    return 'error' in result ? result : { ...result, version: asked };
  };
}

/**
 * Edits come in bursts and a count reads the whole file: counted again this long after the last
 * change, or twice as long as the last count took when that is longer (a 12 MB file takes ~4 s).
 */
export const STATS_SETTLE_MS = 1000;
/** The server's copy may trail the editor's by a change or two: ask again this many times. */
const ATTEMPTS = 3;

interface Counts {
  version: number;
  charts: DatasetCharts;
  tokens: TokensOf;
}

export function tokensOf(result: Extract<DatasetStatsResult, { version: number }>): TokensOf {
  const { lineTokens } = result;
  const byRole = new Map(result.roleTokens.map(({ role, tokens }) => [role, tokens]));
  return (line, role) => {
    const values = role === undefined ? lineTokens : byRole.get(role);
    return values?.[line] ?? -1;
  };
}

export class StatsSource {
  /** The view shows the statistics: send them, and again after each change. */
  private wanted = false;
  private latest: Counts | undefined;
  private inflight: Promise<Counts | undefined> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastCountMs = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly uri: string,
    private readonly request: StatsRequester | undefined,
    private readonly version: () => number,
    private readonly post: (message: DatasetHostMessage) => void,
  ) {}

  /** The view opened its statistics. */
  async show(): Promise<void> {
    this.wanted = true;
    // Counted already (for a filter's token bounds, or before the view was reloaded): send those.
    if (this.latest?.version === this.version()) return this.send(this.latest);
    await this.current();
  }

  /** The document or its findings changed: the counts are stale; recount soon if they are shown. */
  changed(): void {
    clearTimeout(this.timer);
    if (!this.wanted) return;
    this.timer = setTimeout(() => void this.current(), Math.max(STATS_SETTLE_MS, 2 * this.lastCountMs));
  }

  /** The view closed its statistics: no more counts after changes (token bounds still count). */
  hide(): void {
    this.wanted = false;
    clearTimeout(this.timer);
  }

  /** Token counts of the document as it is now, counted when they are not. */
  async tokens(): Promise<TokensOf | undefined> {
    return (await this.current())?.tokens;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.wanted = false;
    this.abort.abort();
  }

  private send({ version, charts }: Counts): void {
    this.post({ type: 'stats', version, charts, message: null });
  }

  private current(): Promise<Counts | undefined> {
    if (this.latest?.version === this.version()) return Promise.resolve(this.latest);
    this.inflight ??= this.compute().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async compute(): Promise<Counts | undefined> {
    const say = (message: string) =>
      this.post({ type: 'stats', version: this.version(), charts: null, message });
    if (!this.request) {
      say('Statistics need the Tunesmith language server.');
      return undefined;
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let result: DatasetStatsResult;
      const started = Date.now();
      try {
        result = await this.request(this.uri, this.abort.signal);
        this.lastCountMs = Date.now() - started;
      } catch (error) {
        result = { error: error instanceof Error ? error.message : String(error) };
      }
      if ('error' in result) {
        if (this.wanted) say(result.error);
        return undefined;
      }
      if (result.version !== this.version()) {
        await new Promise((done) => setTimeout(done, 100));
        continue;
      }
      this.latest = { version: result.version, charts: result.charts, tokens: tokensOf(result) };
      if (this.wanted) this.send(this.latest);
      return this.latest;
    }
    if (this.wanted)
      say('The file kept changing while its statistics were counted: they follow when it settles.');
    return undefined;
  }
}
