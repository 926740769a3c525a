/**
 * The evaluation panel (a browser ES module, bundled to dist/webview/evaluation.js): one report's
 * metrics, comparisons and examples. Everything from the report (model outputs, references, prompts,
 * labels, notes) reaches the page as text, never as HTML; every message is checked on receipt.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { METRICS, type EvaluationReport, type MetricName } from '../../src/shared/evaluation-report.ts';
import {
  isEvaluationHostMessage,
  isEvaluationPanelState,
  type EvaluationHostMessage,
  type EvaluationPanelMessage,
  type EvaluationPanelState,
  type ExportFormat,
  type NearestMessage,
  type SemanticMessage,
  type RowSort,
  type SortOf,
  type TextSide,
  type Tokens,
} from '../../src/shared/evaluation-protocol.ts';
import { METRIC_LABELS, SHADE_EDGES, systemLabel } from '../../src/shared/evaluation-view.ts';
import { element, setOptions } from '../common/dom.ts';
import { acquireHost } from '../common/host.ts';
import { markFilter, showHeader } from './header.ts';
import { othersProbe, resizeOthers, showOthers } from './others.ts';
import { DEFAULT_VIEW, filterCounts, visibleRows, type RowView } from './rows.ts';
import { showSemanticHeader, type ExampleSimilarity } from './semantic.ts';
import { ExampleTable, tableProbe } from './table.ts';

const vscode = acquireHost<EvaluationPanelMessage, EvaluationPanelState>();
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
type Field = HTMLElement & { value: string };

const page = {
  path: '',
  report: undefined as EvaluationReport | undefined,
  hasTokens: false,
  tokens: new Map<number, Tokens | null>(),
  asked: new Set<number>(),
  semantic: undefined as SemanticMessage | undefined,
  similarity: new Map<number, ExampleSimilarity>(),
  nearest: new Map<number, NearestMessage>(),
  nearestAsked: new Set<number>(),
  view: DEFAULT_VIEW as RowView,
  /** Sorting by a metric: largest first unless turned around. */
  descending: true,
};

/** For tests and the benchmark: when the last report arrived and when its first rows were painted. */
const probe = {
  checkMs: 0,
  reportAt: 0,
  headerAt: 0,
  rowsAt: 0,
  paintedAt: 0,
  table: tableProbe,
  others: othersProbe,
};
(window as unknown as { __evaluation: typeof probe }).__evaluation = probe;

const post = (message: EvaluationPanelMessage) => vscode.postMessage(message);

const table = new ExampleTable(
  $('rows'),
  {
    tokens: (index) => page.tokens.get(index),
    requestTokens: (index) => {
      if (page.asked.has(index)) return;
      page.asked.add(index);
      post({ type: 'tokens', index });
    },
    get canOpenLine() {
      const source = page.report?.source;
      return Boolean(source?.heldout ?? source?.predictions);
    },
    similarity: (index) => page.similarity.get(index),
    nearest: (index) => page.nearest.get(index),
    requestNearest: (index) => {
      if (page.nearestAsked.has(index)) return;
      page.nearestAsked.add(index);
      post({ type: 'nearest', index });
    },
  },
  [$('head'), $('toolbar')],
);

function saveState(): void {
  vscode.setState({ path: page.path, view: page.view });
}

/** A saved view fits this report: its flip table exists, its sort has the systems it names. */
function fits(report: EvaluationReport, view: RowView): boolean {
  if (view.filter.kind === 'flip' && !report.comparison?.flips[view.filter.table]) return false;
  return view.sort.key === 'index' || view.sort.of === 'tuned' || report.systems.base !== undefined;
}

const sortValueOf = (sort: RowSort): string => (sort.key === 'index' ? 'index' : `${sort.key}:${sort.of}`);

function sortOptions(report: EvaluationReport): void {
  const options = [{ value: 'index', label: '# (report order)' }];
  const ofs = report.systems.base
    ? ([
        ['delta', 'change'],
        ['tuned', systemLabel(report, 'tuned')],
        ['base', systemLabel(report, 'base')],
      ] as const)
    : ([['tuned', systemLabel(report, 'tuned')]] as const);
  for (const metric of [report.primary, ...METRICS.filter((m) => m !== report.primary)])
    for (const [of, label] of ofs)
      options.push({ value: `${metric}:${of}`, label: `${METRIC_LABELS[metric]}: ${label}` });
  setOptions($<Field>('sort'), options, sortValueOf(page.view.sort));
}

function showDirection(): void {
  const button = $('direction');
  button.textContent = page.descending ? '↓ descending' : '↑ ascending';
  button.toggleAttribute('disabled', page.view.sort.key === 'index');
}

function columns(report: EvaluationReport): void {
  const names = ['#', 'prompt', 'reference'];
  if (report.systems.base) names.push(systemLabel(report, 'base'));
  names.push(systemLabel(report, 'tuned'), 'scores');
  $('columns').replaceChildren(
    ...names.map((name) => element('div', { class: 'cell', role: 'columnheader' }, name)),
  );
  document.body.classList.toggle('one-system', !report.systems.base);
}

function legend(): void {
  const box = $('legend');
  box.hidden = !page.hasTokens;
  if (!page.hasTokens) return;
  const swatches = [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5].map((shade) => {
    const edge = SHADE_EDGES[Math.abs(shade) - 1];
    const words =
      shade === 0
        ? `|Δ| under ${SHADE_EDGES[0]}`
        : `tuned ${shade > 0 ? 'more' : 'less'} likely by at least ${edge} nats`;
    return element('span', { class: `swatch tok s${shade}`, title: words }, shade === 0 ? '0' : '\u00a0');
  });
  box.replaceChildren(
    element('span', { class: 'muted' }, 'Reference (expanded rows): tuned less likely'),
    ...swatches,
    element('span', { class: 'muted' }, 'more likely'),
  );
  box.title = `Δlog-prob per reference token (tuned − base, teacher-forced), shades at ${SHADE_EDGES.join(', ')} nats; hover a token for its values`;
}

/** Filters, searches and sorts, then shows the rows from the top. */
function apply(scrollTop = true): void {
  const report = page.report;
  if (!report) return;
  const rows = visibleRows(report, page.view);
  table.setRows(rows, page.view.sort);
  markFilter(page.view.filter);
  showDirection();
  const total = report.examples.length;
  $('shown').textContent =
    rows.length === total
      ? `${total.toLocaleString('en-US')} examples`
      : `${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} examples`;
  $('empty').hidden = rows.length > 0 || total === 0;
  if (scrollTop && window.scrollY > $('rows').offsetTop) table.scrollToRow(0);
  saveState();
}

function showReport(message: Extract<EvaluationHostMessage, { type: 'report' }>): void {
  probe.reportAt = performance.now();
  const sameFile = message.path === page.path;
  const saved = vscode.getState();
  page.path = message.path;
  page.report = message.report;
  page.hasTokens = message.tokens;
  page.tokens.clear();
  page.asked.clear();
  // Another version of the report: the host computes its figures again.
  page.semantic = undefined;
  page.similarity.clear();
  page.nearest.clear();
  page.nearestAsked.clear();
  showSemanticHeader($('semantic'), message.report, undefined);
  // The same file again (re-evaluated) keeps the view; a revived panel gets the one it saved.
  if (!sameFile)
    page.view =
      isEvaluationPanelState(saved) && saved.path === message.path && saved.view ? saved.view : DEFAULT_VIEW;
  if (!fits(message.report, page.view)) page.view = DEFAULT_VIEW;
  if (page.view.sort.key !== 'index') page.descending = page.view.sort.descending;
  $('status').textContent = '';
  $('status').hidden = true;
  $('banner').hidden = true;
  showHeader(message.report, filterCounts(message.report), { filter: (filter) => setView({ filter }) });
  probe.headerAt = performance.now();
  columns(message.report);
  sortOptions(message.report);
  $<Field>('search').value = page.view.query;
  legend();
  table.setReport(message.report, message.tokens);
  apply(false);
  probe.rowsAt = performance.now();
  requestAnimationFrame(() => setTimeout(() => (probe.paintedAt = performance.now())));
}

function setView(change: Partial<RowView>): void {
  page.view = { ...page.view, ...change };
  apply();
}

function handle(message: EvaluationHostMessage): void {
  switch (message.type) {
    case 'report':
      showReport(message);
      return;
    case 'problem': {
      page.path ||= message.path;
      // Saved, so that after a reload the panel comes back for the file (fixed by then, perhaps).
      saveState();
      if (!page.report) {
        $('status').hidden = false;
        $('status').textContent = message.message;
        $('status').className = 'error';
        return;
      }
      const banner = $('banner');
      banner.hidden = false;
      banner.textContent = `${message.message} The panel shows the version read before.`;
      return;
    }
    case 'tokens': {
      page.tokens.set(message.index, message.tokens);
      const position = table.positionOf(message.index);
      if (position !== undefined) table.redraw(position);
      return;
    }
    case 'semantic': {
      if (!page.report) return;
      page.semantic = message;
      showSemanticHeader($('semantic'), page.report, message);
      if (message.state !== 'ready') return;
      page.similarity.clear();
      message.index.forEach((index, i) => {
        const base = message.base?.[i];
        page.similarity.set(
          index,
          base === undefined ? { tuned: message.tuned[i]! } : { base, tuned: message.tuned[i]! },
        );
      });
      table.redrawAll();
      return;
    }
    case 'nearest': {
      page.nearest.set(message.index, message);
      // Asked again on the next expand once the host could not answer (it may be set up by then).
      if (message.state === 'off' || message.state === 'failed' || message.state === 'choose')
        page.nearestAsked.delete(message.index);
      const position = table.positionOf(message.index);
      if (position !== undefined) table.redraw(position);
      return;
    }
    case 'others':
      showOthers(message.reports, page.report?.primary ?? 'exact', (path) =>
        post({ type: 'openReport', path }),
      );
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Validated on receipt: a message of any other shape is dropped, not half-applied.
  const started = performance.now();
  const valid = isEvaluationHostMessage(event.data);
  probe.checkMs = performance.now() - started;
  if (valid) handle(event.data);
  else console.warn('evaluation panel: ignored a message of unknown shape');
});

let searchFrame = 0;
$('search').addEventListener('input', () => {
  cancelAnimationFrame(searchFrame);
  searchFrame = requestAnimationFrame(() => setView({ query: $<Field>('search').value }));
});
$('sort').addEventListener('change', () => {
  const value = $<Field>('sort').value;
  const [key, of] = value.split(':') as [MetricName | 'index', SortOf];
  setView({ sort: key === 'index' ? { key } : { key, of, descending: page.descending } });
});
$('direction').addEventListener('click', () => {
  if (page.view.sort.key === 'index') return;
  page.descending = !page.descending;
  setView({ sort: { ...page.view.sort, descending: page.descending } });
});
for (const format of ['markdown', 'html', 'json'] as ExportFormat[])
  $(`export-${format}`).addEventListener('click', () => post({ type: 'export', format }));
$('rows').addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
  const row = button?.closest<HTMLElement>('.row');
  if (!button || !row) return;
  const index = Number(row.dataset['index']);
  const action = button.dataset['action'];
  if (action === 'openHeldout') post({ type: 'openHeldout', index });
  else if (action === 'openTraining') {
    event.preventDefault();
    post({ type: 'openTraining', line: Number(button.dataset['line']) });
  } else if (action === 'chooseTraining') post({ type: 'chooseTraining', index });
  else
    post({
      type: 'compareInDiff',
      index,
      left: button.dataset['left'] as TextSide,
      right: button.dataset['right'] as TextSide,
    });
});
new ResizeObserver(() => resizeOthers()).observe($('others'));
post({ type: 'ready' });
