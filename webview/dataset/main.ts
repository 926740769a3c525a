/**
 * The dataset view (a browser ES module, bundled to dist/webview/dataset.js): the lines of a JSONL
 * file as conversations, virtualised; the page holds only the rows it shows (asked of the host by
 * line number) and the line numbers a filter let through. Every message is checked on receipt, and
 * every text of the file reaches the page as text.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { FORMAT_NAMES } from '../../src/core/engine/formats.ts';
import {
  FORMAT_IDS,
  MAX_ROWS_PER_REQUEST,
  SEVERITIES,
  isDatasetHostMessage,
  type CodeCount,
  type DatasetCharts,
  type DatasetFilter,
  type DatasetHostMessage,
  type DatasetRow,
  type DatasetViewMessage,
  type FindingSeverity,
} from '../../src/shared/dataset-protocol.ts';
import type { FormatId } from '../../src/core/engine/formats.ts';
import { element, setOptions } from '../common/dom.ts';
import { VirtualList, listProbe } from './list.ts';
import { buildRow } from './row.ts';
import { chartsProbe, resizeCharts, showCharts } from './stats.ts';

interface VsCodeApi {
  postMessage(message: DatasetViewMessage): void;
  setState(state: SavedView): void;
  getState(): unknown;
}
/** What the page keeps while its tab is hidden (its webview is dropped then): the line at the top. */
interface SavedView {
  line: number;
  /** The Statistics section was open. */
  stats?: boolean;
}
const savedLine = (state: unknown): number | undefined => {
  const line = (state as { line?: unknown } | undefined)?.line;
  return Number.isInteger(line) && (line as number) >= 0 ? (line as number) : undefined;
};
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
type Field = HTMLElement & { value: string };
const post = (message: DatasetViewMessage) => vscode.postMessage(message);

/** Rows kept for scrolling back; older ones are asked for again. */
const CACHE_ROWS = 4000;

const page = {
  version: -1,
  findings: -1,
  lineCount: 0,
  codes: [] as CodeCount[],
  /** The lines a filter let through, ascending; null: every line. */
  lines: null as number[] | null,
  filter: {} as DatasetFilter,
  filterId: 0,
  /** Rows of the current version and findings. */
  rows: new Map<number, DatasetRow>(),
  /** Rows of an earlier version, shown until their new version arrives. */
  old: new Map<number, DatasetRow>(),
  asked: new Set<number>(),
  expanded: new Set<string>(),
  fixes: new Map<string, string[]>(),
  /** The Statistics section is open; its charts once the host has sent them. */
  statsOpen: (vscode.getState() as SavedView | undefined)?.stats === true,
  charts: null as DatasetCharts | null,
};

/** For tests and the benchmark. */
const probe = {
  list: listProbe,
  charts: chartsProbe,
  documentAt: 0,
  rowsAt: 0,
  requests: 0,
  firstShown: () => list.firstShown(),
};
(window as unknown as { __dataset: typeof probe }).__dataset = probe;

const lineAt = (position: number): number => (page.lines ? page.lines[position]! : position);
const rowOf = (line: number): DatasetRow | undefined => page.rows.get(line) ?? page.old.get(line);

const list = new VirtualList($('scroller'), $('window'), $('spacer'), {
  build: (position, node) => {
    const line = lineAt(position);
    const row = rowOf(line);
    const built = buildRow(row, line, page, node);
    rowNodes.set(built, row);
    return built;
  },
  stale: (position, node) => rowNodes.get(node) !== rowOf(lineAt(position)),
  shown: (first, last) => {
    saveTop(lineAt(first));
    const missing: number[] = [];
    for (let position = first; position <= last && missing.length < MAX_ROWS_PER_REQUEST; position++) {
      const line = lineAt(position);
      if (!page.rows.has(line) && !page.asked.has(line)) missing.push(line);
    }
    if (missing.length === 0) return;
    for (const line of missing) page.asked.add(line);
    probe.requests++;
    post({ type: 'rows', lines: missing });
  },
});
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveTop(line: number): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => vscode.setState({ line, stats: page.statsOpen }), 250);
}

/** The row each node was built from, to know when it needs building again. */
const rowNodes = new WeakMap<HTMLElement, DatasetRow | undefined>();

function showCount(): void {
  const total = page.lineCount;
  const shown = page.lines ? page.lines.length : total;
  $('shown').textContent =
    shown === total
      ? `${total.toLocaleString('en-US')} lines`
      : `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} lines`;
  $('empty').hidden = shown > 0;
}

function setCount(): void {
  list.setCount(page.lines ? page.lines.length : page.lineCount);
  showCount();
}

function codeOptions(): void {
  const current = page.filter.code ?? '';
  const options = [{ value: '', label: 'Any finding or none' }];
  // One option per code, whatever its severities.
  const totals = new Map<string, number>();
  for (const { code, count } of page.codes) totals.set(code, (totals.get(code) ?? 0) + count);
  for (const [code, total] of totals)
    options.push({ value: code, label: `${code} (${total.toLocaleString('en-US')})` });
  const seen = totals;
  setOptions($<Field>('code'), options, seen.has(current) || current === '' ? current : '');
}

function onDocument(message: Extract<DatasetHostMessage, { type: 'document' }>): void {
  probe.documentAt = performance.now();
  $('name').textContent = message.name;
  const first = page.version === -1;
  const changed = message.version !== page.version || message.findings !== page.findings;
  const countChanged = message.lineCount !== page.lineCount;
  // The same version with more lines: a file read from disk whose index is still growing.
  const grown = !changed && message.lineCount > page.lineCount;
  page.lineCount = message.lineCount;
  page.codes = message.codes;
  if (message.findings !== page.findings) page.fixes.clear();
  page.version = message.version;
  page.findings = message.findings;
  codeOptions();
  if (changed) {
    // Keep showing what was shown until the new rows come: no flash of "Loading…" on every keystroke.
    for (const [line, row] of page.rows) page.old.set(line, row);
    page.rows = new Map();
    page.asked.clear();
  }
  if (page.lines !== null || isFiltering()) return runFilter();
  if (grown) list.grow(message.lineCount);
  else if (countChanged) setCount();
  else list.refresh();
  if (!grown) pendingLine = undefined;
  else if (pendingLine !== undefined && pendingLine < page.lineCount) {
    list.scrollTo(pendingLine);
    pendingLine = undefined;
  }
  showCount();
  // Back in a tab that was hidden: where the user was.
  const line = first ? savedLine(vscode.getState()) : undefined;
  if (line !== undefined && line < page.lineCount) list.scrollTo(line);
}

function onRows(message: Extract<DatasetHostMessage, { type: 'rows' }>): void {
  if (message.version !== page.version) return;
  probe.rowsAt = performance.now();
  for (const row of message.rows) {
    page.rows.set(row.line, row);
    page.old.delete(row.line);
    page.asked.delete(row.line);
  }
  // Map order is insertion order: the oldest rows go first.
  for (const line of page.rows.keys()) {
    if (page.rows.size <= CACHE_ROWS) break;
    page.rows.delete(line);
  }
  if (page.old.size > CACHE_ROWS) page.old.clear();
  list.refresh();
}

function isFiltering(): boolean {
  const filter = page.filter;
  return Object.values(filter).some((value) => value !== undefined && value !== '');
}

function runFilter(): void {
  page.filterId++;
  post({ type: 'filter', id: page.filterId, filter: page.filter });
  $('shown').textContent = 'Filtering…';
}

function onFiltered(message: Extract<DatasetHostMessage, { type: 'filtered' }>): void {
  if (message.id !== page.filterId) return;
  page.lines = message.lines;
  setCount();
  list.scrollTo(0);
}

function handle(message: DatasetHostMessage): void {
  switch (message.type) {
    case 'document':
      return onDocument(message);
    case 'rows':
      return onRows(message);
    case 'filtered':
      return onFiltered(message);
    case 'fixes': {
      page.fixes.set(`${message.line}:${message.finding}`, message.titles);
      redrawLine(message.line);
      return;
    }
    case 'stats':
      return onStats(message);
    case 'goto':
      return goToLine(message.line + 1);
    case 'notice': {
      const notice = $('notice');
      notice.hidden = false;
      notice.textContent = message.message;
      return;
    }
  }
}

function redrawLine(line: number): void {
  const node = document.querySelector<HTMLElement>(`#window .row[data-line="${line}"]`);
  if (node) list.rebuild(Number(node.dataset['position']));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Validated on receipt: a message of any other shape is dropped, not half-applied.
  if (isDatasetHostMessage(event.data)) handle(event.data);
  else console.warn('dataset view: ignored a message of unknown shape');
});

function setFilter(change: Partial<DatasetFilter>): void {
  // Empty fields are left out, so that a filter with nothing set reads as no filter.
  const next = Object.fromEntries(
    Object.entries({ ...page.filter, ...change }).filter(([, value]) => value !== undefined && value !== ''),
  ) as DatasetFilter;
  page.filter = next;
  showChips();
  if (page.charts && page.statsOpen) drawCharts();
  if (isFiltering()) return runFilter();
  page.filterId++;
  page.lines = null;
  setCount();
  list.scrollTo(0);
}

/** A whole number typed in a field, or undefined when it is empty or not one. */
const count = (text: string): number | undefined =>
  /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;

let searchTimer: ReturnType<typeof setTimeout> | undefined;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  // A scan of a large file per keystroke would queue up: one per pause in typing.
  searchTimer = setTimeout(() => setFilter({ query: $<Field>('search').value }), 200);
});
$('code').addEventListener('change', () => setFilter({ code: $<Field>('code').value || undefined }));
$('severity').addEventListener('change', () =>
  setFilter({ severity: ($<Field>('severity').value || undefined) as FindingSeverity | undefined }),
);
$('format').addEventListener('change', () =>
  setFilter({ format: ($<Field>('format').value || undefined) as FormatId | undefined }),
);
for (const id of ['min-turns', 'max-turns'] as const)
  $(id).addEventListener('change', () =>
    setFilter({ minTurns: count($<Field>('min-turns').value), maxTurns: count($<Field>('max-turns').value) }),
  );
$('goto').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  const line = count($<Field>('goto').value);
  if (line !== undefined && line >= 1) goToLine(line);
});

/** Line `line` (1-based), or the first shown line after it, at the top of the list. */
function goToLine(line: number): void {
  // Past the lines counted so far of a file still being indexed: there once the index reaches it.
  pendingLine = page.lines === null && line > page.lineCount ? line - 1 : undefined;
  list.scrollTo(positionOf(line - 1));
}
$('open-text').addEventListener('click', () => post({ type: 'openText' }));

/** A line asked for by number before the index of the file reached it. */
let pendingLine: number | undefined;

/** The position of `line` in the rows shown, or of the first shown line after it. */
function positionOf(line: number): number {
  const lines = page.lines;
  if (!lines) return Math.min(line, Math.max(0, page.lineCount - 1));
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (lines[middle]! < line) low = middle + 1;
    else high = middle;
  }
  return Math.min(low, Math.max(0, lines.length - 1));
}

$('window').addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
  const rowNode = button?.closest<HTMLElement>('.row');
  if (!button || !rowNode) return;
  const line = Number(rowNode.dataset['line']);
  const finding = Number(button.closest<HTMLElement>('[data-finding]')?.dataset['finding'] ?? -1);
  switch (button.dataset['action']) {
    case 'reveal':
      return post({ type: 'reveal', line, character: Number(button.dataset['character'] ?? 0) });
    case 'toggle': {
      const key = button.dataset['key'] ?? '';
      if (page.expanded.has(key)) page.expanded.delete(key);
      else page.expanded.add(key);
      list.rebuild(Number(rowNode.dataset['position']));
      return;
    }
    case 'fixes':
      if (finding >= 0) post({ type: 'fixes', findings: page.findings, line, finding });
      return;
    case 'applyFix':
      if (finding >= 0)
        post({
          type: 'applyFix',
          findings: page.findings,
          line,
          finding,
          fix: Number(button.dataset['fix']),
        });
      return;
  }
});

/** A bar of a chart clicked: its filter, shown in the controls that have one and as a chip. */
function applyChartFilter(change: Partial<DatasetFilter>): void {
  const fields: [string, string | undefined][] = [
    ['code', change.code],
    ['format', change.format],
    ['min-turns', change.minTurns?.toString()],
    ['max-turns', change.maxTurns?.toString()],
  ];
  for (const [id, value] of fields) if (value !== undefined) $<Field>(id).value = value;
  // A token bar of the whole example replaces one of a role (and the reverse).
  setFilter('minTokens' in change ? { tokenRole: undefined, ...change } : change);
}

/** The filters that have no control of their own (token range, label, system prompt), removable. */
function showChips(): void {
  const { minTokens, maxTokens, tokenRole, label, system } = page.filter;
  const chips: { text: string; title: string; clear: Partial<DatasetFilter> }[] = [];
  if (minTokens !== undefined || maxTokens !== undefined)
    chips.push({
      text: `${tokenRole ? `${tokenRole} ` : ''}tokens ${minTokens ?? 0}–${maxTokens ?? '∞'}`,
      title: 'Tokens counted as tokens/too-long counts them',
      clear: { minTokens: undefined, maxTokens: undefined, tokenRole: undefined },
    });
  if (label !== undefined) chips.push({ text: `label: ${label}`, title: label, clear: { label: undefined } });
  if (system !== undefined)
    chips.push({
      text: `system: ${system.length > 60 ? `${system.slice(0, 59)}…` : system}`,
      title: system,
      clear: { system: undefined },
    });
  const bar = $('chips');
  bar.hidden = chips.length === 0;
  bar.replaceChildren(
    ...chips.map(({ text, title, clear }) => {
      const chip = element('span', { class: 'chip', title });
      const remove = element(
        'button',
        { class: 'chip-remove', type: 'button', 'aria-label': `Remove ${text}` },
        '×',
      );
      remove.addEventListener('click', () => setFilter(clear));
      chip.append(element('span', { class: 'chip-text' }, text), remove);
      return chip;
    }),
  );
  if (chips.length > 0) {
    const all = element('button', { class: 'link', type: 'button' }, 'Clear all filters');
    all.addEventListener('click', clearFilters);
    bar.append(all);
  }
}

function clearFilters(): void {
  for (const id of ['search', 'code', 'severity', 'format', 'min-turns', 'max-turns'])
    $<Field>(id).value = '';
  page.filter = {};
  setFilter({});
}

function drawCharts(): void {
  if (page.charts) showCharts($('stats-charts'), page.charts, page.filter, applyChartFilter);
}

function onStats(message: Extract<DatasetHostMessage, { type: 'stats' }>): void {
  page.charts = message.charts;
  const status = $('stats-status');
  if (!message.charts) {
    status.textContent = message.message ?? 'No statistics.';
    $('stats-charts').replaceChildren();
    return;
  }
  const { examples, overMax, maxTokens } = message.charts;
  status.textContent = `${examples.toLocaleString('en-US')} examples · ${overMax.toLocaleString('en-US')} over tokens.max (${maxTokens.toLocaleString('en-US')}) · click a bar to show its rows`;
  if (page.statsOpen) drawCharts();
}

function toggleStats(open: boolean): void {
  page.statsOpen = open;
  $('stats').hidden = !open;
  $('stats-toggle').setAttribute('aria-expanded', String(open));
  vscode.setState({ line: list.count > 0 ? lineAt(list.firstShown()) : 0, stats: open });
  // Closed: the host stops counting after each edit (a count reads the whole file).
  if (!open) return post({ type: 'stats', show: false });
  if (page.charts) drawCharts();
  else $('stats-status').textContent = 'Counting…';
  // Asked each time it opens: the host sends the charts it has, or counts them.
  post({ type: 'stats', show: true });
}
$('stats-toggle').addEventListener('click', () => toggleStats(!page.statsOpen));
new ResizeObserver(() => resizeCharts()).observe($('stats'));

setOptions(
  $<Field>('severity'),
  [
    { value: '', label: 'Any severity' },
    ...SEVERITIES.map((severity) => ({ value: severity, label: severity })),
  ],
  '',
);
setOptions(
  $<Field>('format'),
  [
    { value: '', label: 'Any format' },
    ...FORMAT_IDS.map((format) => ({ value: format, label: FORMAT_NAMES[format] })),
  ],
  '',
);
codeOptions();
post({ type: 'ready' });
if (page.statsOpen) toggleStats(true);
