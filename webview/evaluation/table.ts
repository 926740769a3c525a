/**
 * The examples as a virtualised list: only the rows in (or near) the viewport are in the DOM, each
 * placed with a transform at its offset. Collapsed rows have one fixed height; an expanded row is
 * measured (ResizeObserver) and the offsets after it move. One read of the list's position, then
 * writes only, once per frame: no layout thrash while scrolling. The page scrolls as a whole (one
 * scroll bar); the header scrolls away and the toolbar sticks.
 *
 * Word diffs of very different long texts are quadratic (tens of ms): while scrolling the diffs of one
 * update share a few ms, costly ones are not tried, and what did not fit is shown unmarked; when the
 * page is idle those are computed (with more time each) and their rows redrawn.
 */
import type { EvaluationReport, SystemId } from '../../src/shared/evaluation-report.ts';
import type { NearestMessage, RowSort, Tokens } from '../../src/shared/evaluation-protocol.ts';
import { costlyDiff, wordDiff, type DiffPart } from '../../src/shared/evaluation-view.ts';
import { buildRow } from './row.ts';
import type { ExampleSimilarity } from './semantic.ts';

/** A collapsed row's height in px (three lines of text); the stylesheet reads it as --row-height. */
const ROW_HEIGHT = 66;
/** Rows built beyond each edge of the viewport, so a slow scroll never shows a gap. */
const OVERSCAN = 6;
/**
 * Time the diffs of one list update may take together: a few ms while scrolling (the frame also lays
 * out and paints), more when the rows change at once (open, filter, sort). Past it, rows come unmarked.
 */
const SCROLL_DIFFS_MS = 4;
const SHOW_DIFFS_MS = 30;
/**
 * Time one diff may take when the page is idle (one task: a scroll that starts meanwhile waits at most
 * this long); past it the output stays unmarked.
 */
const IDLE_DIFF_MS = 40;
/** How long scrolling must have stopped before the slow diffs run. */
const IDLE_AFTER_MS = 250;

interface TableHost {
  /** The reference tokens of example `index` (its `index` field): undefined until asked for and sent. */
  tokens(index: number): Tokens | null | undefined;
  requestTokens(index: number): void;
  canOpenLine: boolean;
  similarity(index: number): ExampleSimilarity | undefined;
  /** The nearest training examples of a regressed example: asked for when its row is first expanded. */
  nearest(index: number): NearestMessage | undefined;
  requestNearest(index: number): void;
}

/** For tests and the benchmark. */
export const tableProbe = { builds: 0, lastUpdateMs: 0, slowDiffs: 0 };

export class ExampleTable {
  private report: EvaluationReport | undefined;
  private hasTokens = false;
  private order: number[] = [];
  private sort: RowSort = { key: 'index' };
  /** offsets[i]: top of the i-th row shown; offsets[order.length]: the list's height. */
  private offsets = new Float64Array(1);
  private readonly expanded = new Set<number>();
  private readonly heights = new Map<number, number>();
  private readonly rendered = new Map<number, { node: HTMLElement; top: number }>();
  private readonly diffs = new Map<string, DiffPart[] | null>();
  private readonly slow = new Set<string>();
  private frame = 0;
  /** The list's top in the document, kept from layout reads: reading it per frame would force one. */
  private listTop = 0;
  /** When the current list update's time for diffs runs out (performance.now()). */
  private diffsUntil = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly observer = new ResizeObserver((entries) => this.measured(entries));

  constructor(
    private readonly container: HTMLElement,
    private readonly host: TableHost,
    /** What is above the list in the page: when its height changes, the list moves. */
    above: HTMLElement[],
  ) {
    container.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    const moved = new ResizeObserver(() => {
      this.measureTop();
      this.schedule();
    });
    for (const element of above) moved.observe(element);
    window.addEventListener('scroll', () => this.schedule(), { passive: true });
    window.addEventListener('resize', () => {
      this.measureTop();
      this.schedule();
    });
    container.addEventListener('click', (event) => this.clicked(event));
  }

  /** A new report (or the same file re-read): everything derived from the old one goes. */
  setReport(report: EvaluationReport, hasTokens: boolean): void {
    this.report = report;
    this.hasTokens = hasTokens;
    this.expanded.clear();
    this.heights.clear();
    this.diffs.clear();
    this.slow.clear();
    this.clear();
  }

  /** The rows to show (positions in report.examples), in order. */
  setRows(order: number[], sort: RowSort): void {
    this.order = order;
    this.sort = sort;
    this.clear();
    this.layout();
    this.measureTop();
    this.update(SHOW_DIFFS_MS);
  }

  get length(): number {
    return this.order.length;
  }

  /** Scrolls so that the i-th row shown is at the top of the list's viewport. */
  scrollToRow(i: number): void {
    this.measureTop();
    const toolbar = document.getElementById('toolbar')?.offsetHeight ?? 0;
    window.scrollTo({ top: this.listTop + this.offsets[Math.min(i, this.order.length)]! - toolbar });
  }

  toggle(position: number): void {
    if (this.expanded.has(position)) {
      this.expanded.delete(position);
      this.heights.delete(position);
    } else {
      this.expanded.add(position);
      const example = this.report!.examples[position]!;
      if (this.hasTokens && this.host.tokens(example.index) === undefined)
        this.host.requestTokens(example.index);
      if (example.outcome === 'regressed') this.host.requestNearest(example.index);
    }
    this.redraw(position);
    this.layout();
    this.update();
  }

  /** Rebuilds the rows in the DOM (the similarity scores arrived). */
  redrawAll(): void {
    for (const position of [...this.rendered.keys()]) this.redraw(position);
  }

  /** Rebuilds one row if it is in the DOM (its tokens arrived, its diff finished). */
  redraw(position: number): void {
    const shown = this.rendered.get(position);
    if (!shown) return;
    this.observer.unobserve(shown.node);
    const node = this.build(position);
    node.style.transform = `translateY(${shown.top}px)`;
    shown.node.replaceWith(node);
    shown.node = node;
  }

  /** The position of the row shown for example `index`, if it is in the list. */
  positionOf(index: number): number | undefined {
    const examples = this.report?.examples ?? [];
    const position = examples[index]?.index === index ? index : examples.findIndex((e) => e.index === index);
    return position >= 0 ? position : undefined;
  }

  private clear(): void {
    for (const { node } of this.rendered.values()) {
      this.observer.unobserve(node);
      node.remove();
    }
    this.rendered.clear();
  }

  private measureTop(): void {
    this.listTop = this.container.getBoundingClientRect().top + window.scrollY;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.runSlowDiffs(), IDLE_AFTER_MS);
  }

  /** Offsets from the row heights: O(rows), on a new order or a changed expanded row only. */
  private layout(): void {
    const count = this.order.length;
    const offsets = new Float64Array(count + 1);
    for (let i = 0; i < count; i += 1)
      offsets[i + 1] = offsets[i]! + (this.heights.get(this.order[i]!) ?? ROW_HEIGHT);
    this.offsets = offsets;
    this.container.style.height = `${offsets[count]}px`;
  }

  /** The last row whose top is at or above `y`. */
  private rowAt(y: number): number {
    let low = 0;
    let high = this.order.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.offsets[middle]! <= y) low = middle;
      else high = middle - 1;
    }
    return Math.max(0, low);
  }

  private update(diffsMs = SCROLL_DIFFS_MS): void {
    if (!this.report) return;
    const started = performance.now();
    this.diffsUntil = started + diffsMs;
    const top = window.scrollY - this.listTop;
    const bottom = top + window.innerHeight;
    const first = Math.max(0, this.rowAt(Math.max(0, top)) - OVERSCAN);
    let last = first;
    while (last < this.order.length && this.offsets[last]! < bottom) last += 1;
    last = Math.min(this.order.length, last + OVERSCAN);
    const wanted = new Set<number>();
    for (let i = first; i < last; i += 1) wanted.add(this.order[i]!);
    for (const [position, shown] of this.rendered)
      if (!wanted.has(position)) {
        this.observer.unobserve(shown.node);
        shown.node.remove();
        this.rendered.delete(position);
      }
    const added: HTMLElement[] = [];
    for (let i = first; i < last; i += 1) {
      const position = this.order[i]!;
      const y = this.offsets[i]!;
      let shown = this.rendered.get(position);
      if (!shown) {
        shown = { node: this.build(position), top: Number.NaN };
        this.rendered.set(position, shown);
        added.push(shown.node);
      }
      if (shown.top !== y) {
        shown.node.style.transform = `translateY(${y}px)`;
        shown.top = y;
      }
    }
    if (added.length > 0) this.container.append(...added);
    tableProbe.lastUpdateMs = performance.now() - started;
  }

  private build(position: number): HTMLElement {
    const report = this.report!;
    const example = report.examples[position]!;
    const expanded = this.expanded.has(position);
    tableProbe.builds += 1;
    const node = buildRow(example, position, {
      report,
      expanded,
      sortMetric: this.sort.key === 'index' ? undefined : this.sort.key,
      diff: (system) => this.diff(position, system),
      tokens: this.hasTokens ? this.host.tokens(example.index) : null,
      canOpenLine: this.host.canOpenLine,
      similarity: this.host.similarity(example.index),
      nearest: expanded && example.outcome === 'regressed' ? this.host.nearest(example.index) : undefined,
    });
    if (expanded) this.observer.observe(node);
    return node;
  }

  private diff(position: number, system: SystemId): DiffPart[] | null | undefined {
    const key = `${position}:${system}`;
    if (this.diffs.has(key)) return this.diffs.get(key);
    const example = this.report!.examples[position]!;
    const output = example.outputs[system] ?? '';
    const left = this.diffsUntil - performance.now();
    const parts =
      left > 0 && !costlyDiff(example.reference, output)
        ? wordDiff(example.reference, output, left)
        : undefined;
    if (parts) this.diffs.set(key, parts);
    else {
      this.slow.add(key);
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.runSlowDiffs(), IDLE_AFTER_MS);
    }
    return parts;
  }

  /** The diffs that did not fit while scrolling, one per task, for rows still shown. */
  private runSlowDiffs(): void {
    const key = this.slow.values().next().value;
    if (key === undefined || !this.report) return;
    this.slow.delete(key);
    const [position, system] = key.split(':') as [string, SystemId];
    const shown = this.rendered.has(Number(position));
    if (shown) {
      const example = this.report.examples[Number(position)]!;
      this.diffs.set(key, wordDiff(example.reference, example.outputs[system] ?? '', IDLE_DIFF_MS) ?? null);
      tableProbe.slowDiffs += 1;
      this.redraw(Number(position));
    }
    this.idleTimer = setTimeout(() => this.runSlowDiffs(), 0);
  }

  private measured(entries: ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const node = entry.target as HTMLElement;
      const position = Number(node.dataset['position']);
      const height = Math.ceil(entry.borderBoxSize[0]?.blockSize ?? node.offsetHeight);
      if (this.expanded.has(position) && this.heights.get(position) !== height) {
        this.heights.set(position, height);
        changed = true;
      }
    }
    // Placed before this frame paints, so rows never overlap for a frame.
    if (changed) {
      this.layout();
      this.update();
    }
  }

  /** Clicks on a row: its expand button or its text (unless text is being selected); actions bubble up. */
  private clicked(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const row = target.closest<HTMLElement>('.row');
    if (!row || target.closest('[data-action], a, summary, .detail')) return;
    if (!target.closest('.expand') && (window.getSelection()?.toString() ?? '') !== '') return;
    this.toggle(Number(row.dataset['position']));
  }
}
