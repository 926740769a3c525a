/**
 * The rows of a dataset file read from disk, for the read-only dataset view (sources.ts): the file
 * indexed in the background (src/core/io/line-pages.ts), each page the view asks for read by byte
 * offset and built with the text view's row builder, and the lines streamed from disk for a filter.
 * No `vscode`: the webview tests' stub host and the benchmark serve the page from this same code.
 */
import { LinePages, type IndexProgress, type PageLine } from '../../core/io/line-pages.ts';
import { LARGE_FILE_BYTES } from '../../shared/protocol.ts';
import { MAX_TEXT_CHARS, type DatasetRow } from '../../shared/dataset-protocol.ts';
import { buildRow, type FindingInput, type FindingsSource, type LineBatches } from './rows.ts';

/** Index progress is announced this often (each announcement re-renders the view's count). */
const PROGRESS_MS = 250;
/** A filter scan does not decode lines longer than this (they match no text query). */
const MAX_SCAN_CHARS = 10_000_000;

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;

/** A line read only in part (longer than LinePages' maxLineBytes): shown as text, with why. */
function cutRow(page: PageLine, totalBytes: number, findings: FindingInput[]): DatasetRow {
  return {
    kind: 'invalid',
    line: page.line,
    error: `This line is ${mb(totalBytes)}: only its start is read into the view.`,
    text: page.text.slice(0, MAX_TEXT_CHARS),
    textLength: page.text.length,
    findings: buildRow(page.line, page.text, findings).findings,
  };
}

export class DiskRows {
  private pages: LinePages | undefined;
  /** Bumped each time the file is read again (it changed on disk): rows of older versions are stale. */
  version = 0;
  private lastAnnounced = 0;
  private closed = false;

  /** `announce`: the index grew (the first chunk at once, then a few times a second, and its end). */
  constructor(
    private readonly path: string,
    private readonly name: string,
    private readonly announce: () => void,
  ) {}

  /** Reads the file (again): a new index and version, the old one closed. Resolves before indexing. */
  async open(): Promise<void> {
    const old = this.pages;
    this.pages = undefined;
    await old?.close();
    if (this.closed) return;
    const version = ++this.version;
    this.lastAnnounced = 0;
    const pages = await LinePages.open(this.path, {
      onProgress: (progress) => this.progressed(version, progress),
    });
    if (this.closed || version !== this.version) return void pages.close();
    this.pages = pages;
  }

  get opened(): boolean {
    return this.pages !== undefined;
  }

  /** Lines indexed so far. */
  get lineCount(): number {
    return this.pages?.index.count ?? 0;
  }

  get progress(): IndexProgress | undefined {
    return this.pages?.progress;
  }

  /** Settles when the current index is complete. */
  get indexed(): Promise<void> {
    return this.pages?.indexed ?? Promise.resolve();
  }

  private progressed(version: number, progress: IndexProgress): void {
    if (version !== this.version || !this.pages) return;
    const now = Date.now();
    if (!progress.done && now - this.lastAnnounced < PROGRESS_MS) return;
    this.lastAnnounced = now;
    this.announce();
  }

  /** What the view says above the rows: read-only, why, where the findings come from, the index's progress. */
  notice(): string {
    const size = this.pages?.size ?? 0;
    const why =
      size >= LARGE_FILE_BYTES
        ? `${this.name} is ${mb(size)}, over the 50 MB VS Code hands to extensions as a document, so this view reads it from disk and cannot edit it`
        : `this view reads ${this.name} from disk and cannot edit it ("Open as Dataset" opens a file under 50 MB in the editable view)`;
    const progress = this.progress;
    const indexing =
      progress && !progress.done
        ? ` Indexing: ${progress.lines.toLocaleString('en-US')} lines so far, ${Math.floor((100 * progress.bytes) / Math.max(1, progress.totalBytes))}% of the file read.`
        : '';
    return `Read-only: ${why}; findings are the language server’s lint of the saved file.${indexing}`;
  }

  /** The rows of the lines indexed so far, of the version they were read from; undefined if none is open. */
  async rows(
    lines: readonly number[],
    findings: FindingsSource,
  ): Promise<{ version: number; rows: DatasetRow[] } | undefined> {
    const pages = this.pages;
    if (!pages) return undefined;
    const version = this.version;
    let read: PageLine[];
    try {
      read = await pages.read(lines);
    } catch (error) {
      // The file was read again meanwhile (this index's descriptor closed): the view asks again.
      if (version !== this.version) return undefined;
      throw error;
    }
    const rows = read.map((page) =>
      page.totalBytes === undefined
        ? buildRow(page.line, page.text, findings.of(page.line))
        : cutRow(page, page.totalBytes, findings.of(page.line)),
    );
    return { version, rows };
  }

  /** Every line of the current copy, streamed from disk, for a filter; undefined if none is open. */
  lines(): LineBatches | undefined {
    return this.pages?.scan(MAX_SCAN_CHARS);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pages?.close();
  }
}
