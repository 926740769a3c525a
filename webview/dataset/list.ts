/**
 * A virtualised list of rows of any height, for files of a million lines: only the rows in the
 * viewport are in the DOM. Row heights live in a Fenwick tree (estimated until a row is measured), so
 * finding the row at a scroll offset and moving the offsets after a measured row both cost O(log n),
 * where a plain offsets array costs O(n) per measured row. Browsers cap an element's height (Chromium
 * at ~33.5M px; 1M rows are more), so past MAX_SPACER_PX the scroll bar maps onto the list's height
 * proportionally. The rows sit in a sticky window at their offset minus the list's scroll offset.
 *
 * Written here rather than taken from a library: none is installed, and the evaluation table's list
 * (webview/evaluation/table.ts) keeps one offsets array, rebuilt from a row on (O(n) per measured row,
 * fine for its 10,000 rows, not for a million); neither caps the spacer's height.
 */

/** A row's height before it is measured, in px. */
const ESTIMATED_ROW_PX = 120;
const MAX_SPACER_PX = 8_000_000;
/** Rows are built this far past the viewport's bottom edge. */
const OVERSCAN_PX = 300;

interface ListSource {
  /** Builds (or rebuilds) the node of the row at `position`; `node` is the one shown before, if any. */
  build(position: number, node: HTMLElement | undefined): HTMLElement;
  /** Whether the row at `position` would now build differently from `node` (its data arrived or changed). */
  stale(position: number, node: HTMLElement): boolean;
  /** Called after each render with the positions shown (and those just past them), to fetch their data. */
  shown(first: number, last: number): void;
}

class HeightTree {
  private readonly tree: Float64Array;
  readonly heights: Float32Array;

  /** `measured`: the heights of the first rows, kept (the list grew at its end). */
  constructor(
    readonly size: number,
    measured?: Float32Array,
  ) {
    this.tree = new Float64Array(size + 1);
    this.heights = new Float32Array(size).fill(ESTIMATED_ROW_PX);
    if (measured) this.heights.set(measured.subarray(0, size));
    for (let i = 1; i <= size; i++) {
      this.tree[i]! += this.heights[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= size) this.tree[parent]! += this.tree[i]!;
    }
  }

  set(position: number, height: number): number {
    const delta = height - this.heights[position]!;
    if (delta === 0) return 0;
    this.heights[position] = height;
    for (let i = position + 1; i <= this.size; i += i & -i) this.tree[i]! += delta;
    return delta;
  }

  /** The total height of rows 0 … position − 1. */
  before(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  get total(): number {
    return this.before(this.size);
  }

  /** The row that holds offset `y` (the last row for y past the end). */
  at(y: number): number {
    let position = 0;
    let rest = y;
    let step = 1;
    while (step * 2 <= this.size) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.size && this.tree[next]! <= rest) {
        position = next;
        rest -= this.tree[next]!;
      }
    }
    return Math.min(position, Math.max(0, this.size - 1));
  }
}

/** For tests and the benchmark: the time each render took, in ms (the last 600). */
export const listProbe = { renders: [] as number[], builds: 0 };

export class VirtualList {
  private heights = new HeightTree(0);
  private readonly nodes = new Map<number, HTMLElement>();
  private frame = 0;
  private viewport = 0;
  /**
   * The list's offset at the top of the viewport. Kept here, not read back from scrollTop: when the
   * scroll bar is scaled one scroll pixel is several list pixels, and measured rows must not move
   * the rows in view (the row at the top stays where it is, as browsers' scroll anchoring does).
   */
  private top = 0;
  /** The scrollTop this list set last, so that its own scroll event is not read as the user's. */
  private setScroll = -1;
  private readonly observer = new ResizeObserver((entries) => this.measured(entries));

  constructor(
    private readonly scroller: HTMLElement,
    private readonly window: HTMLElement,
    private readonly spacer: HTMLElement,
    private readonly source: ListSource,
  ) {
    scroller.addEventListener(
      'scroll',
      () => {
        if (scroller.scrollTop !== this.setScroll) this.top = this.fromScroll(scroller.scrollTop);
        this.setScroll = -1;
        this.schedule();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      this.viewport = scroller.clientHeight;
      window.style.height = `${this.viewport}px`;
      window.style.marginBottom = `-${this.viewport}px`;
      this.schedule();
    }).observe(scroller);
  }

  get count(): number {
    return this.heights.size;
  }

  /** A new number of rows (a filter, lines added or removed): heights are estimated again. */
  setCount(count: number): void {
    if (count !== this.heights.size) this.heights = new HeightTree(count);
    for (const node of this.nodes.values()) {
      this.observer.unobserve(node);
      node.remove();
    }
    this.nodes.clear();
    this.resize();
    this.top = Math.min(this.top, this.maxTop());
    this.schedule();
  }

  /**
   * Rows added at the end, the others unchanged (a file still being indexed): the rows shown, their
   * measured heights and the row at the top stay where they are.
   */
  grow(count: number): void {
    if (count <= this.heights.size) return this.setCount(count);
    this.heights = new HeightTree(count, this.heights.heights);
    this.resize();
    this.syncScroll();
    this.schedule();
  }

  /** Rows whose data may have changed are rebuilt on the next frame. */
  refresh(): void {
    this.schedule();
  }

  /** The row at `position` (rebuilt now, e.g. after a toggle). */
  rebuild(position: number): void {
    const node = this.nodes.get(position);
    if (node) this.source.build(position, node);
    this.schedule();
  }

  scrollTo(position: number): void {
    this.top = Math.min(this.heights.before(Math.min(position, this.count)), this.maxTop());
    this.syncScroll();
    this.render();
  }

  /** The first row whose top is in the viewport (for tests and the line field). */
  firstShown(): number {
    return this.heights.at(this.listTop());
  }

  private resize(): void {
    this.spacer.style.height = `${Math.min(this.heights.total, MAX_SPACER_PX)}px`;
  }

  private listTop(): number {
    return Math.max(0, Math.min(this.top, this.maxTop()));
  }

  private maxTop(): number {
    return Math.max(0, this.heights.total - this.viewport);
  }

  /** The list offset a scroll position stands for (proportional when the spacer is capped). */
  private fromScroll(scrollTop: number): number {
    const total = this.heights.total;
    const spacer = Math.min(total, MAX_SPACER_PX);
    if (spacer === total) return scrollTop;
    return (scrollTop / Math.max(1, spacer - this.viewport)) * this.maxTop();
  }

  private syncScroll(): void {
    const total = this.heights.total;
    const spacer = Math.min(total, MAX_SPACER_PX);
    const scroll =
      spacer === total
        ? this.top
        : (this.top / Math.max(1, this.maxTop())) * Math.max(1, spacer - this.viewport);
    this.scroller.scrollTop = scroll;
    // What the browser made of it (it rounds), which its scroll event will carry.
    this.setScroll = this.scroller.scrollTop;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const started = performance.now();
    const count = this.count;
    const top = this.listTop();
    const first = count > 0 ? this.heights.at(top) : 0;
    let y = this.heights.before(first) - top;
    let position = first;
    const wanted = new Set<number>();
    while (position < count && y < this.viewport + OVERSCAN_PX) {
      wanted.add(position);
      let node = this.nodes.get(position);
      if (!node) {
        node = this.source.build(position, undefined);
        listProbe.builds++;
        node.dataset['position'] = String(position);
        this.nodes.set(position, node);
        this.window.append(node);
        this.observer.observe(node);
      } else if (this.source.stale(position, node)) {
        this.source.build(position, node);
        listProbe.builds++;
      }
      node.style.transform = `translateY(${y}px)`;
      y += this.heights.heights[position]!;
      position++;
    }
    for (const [shown, node] of this.nodes) {
      if (wanted.has(shown)) continue;
      this.observer.unobserve(node);
      node.remove();
      this.nodes.delete(shown);
    }
    if (count > 0) this.source.shown(first, Math.min(count - 1, position + 20));
    listProbe.renders.push(performance.now() - started);
    if (listProbe.renders.length > 600) listProbe.renders.shift();
  }

  private measured(entries: ResizeObserverEntry[]): void {
    // The row at the top of the viewport, and how far into it: kept in place whatever is measured.
    const top = this.listTop();
    const anchor = this.heights.at(top);
    const into = top - this.heights.before(anchor);
    // At the end of the list it stays at the end (the last line must stay in view once reached).
    const atEnd = top > 0 && top >= this.maxTop() - 1;
    let changed = false;
    for (const entry of entries) {
      const node = entry.target as HTMLElement;
      const position = Number(node.dataset['position']);
      if (this.nodes.get(position) !== node) continue;
      const height = entry.borderBoxSize[0]?.blockSize ?? node.offsetHeight;
      if (height > 0 && this.heights.set(position, height) !== 0) changed = true;
    }
    if (!changed) return;
    this.resize();
    this.top = atEnd
      ? this.maxTop()
      : this.heights.before(anchor) + Math.min(into, this.heights.heights[anchor]! - 1);
    this.syncScroll();
    this.schedule();
  }
}
