/**
 * The evaluation panel's header: the verdict, the outcome counts and the flip tables (each a filter),
 * base and tuned corpus metrics side by side with the difference and its interval, classification and
 * JSON results when the report has them, and the generation settings, notes and problems. Built from
 * DOM nodes and text only.
 */
import type { EvaluationReport, SystemId } from '../../src/shared/evaluation-report.ts';
import type { RowFilter } from '../../src/shared/evaluation-protocol.ts';
import {
  FLIP_CELLS,
  flipTitle,
  formatMetric,
  generationFacts,
  intervalTitle,
  metricRows,
  sourceFacts,
  systemLabel,
  type FlipCell,
} from '../../src/shared/evaluation-view.ts';
import { element } from '../common/dom.ts';
import type { FilterCounts } from './rows.ts';

const $ = (id: string): HTMLElement => document.getElementById(id)!;

const systemsOf = (report: EvaluationReport): SystemId[] =>
  report.systems.base ? ['base', 'tuned'] : ['tuned'];

/** The `data-filter` of a filter's button, so the page can mark the one in use. */
const filterKey = (filter: RowFilter): string => {
  switch (filter.kind) {
    case 'all':
    case 'bothWrong':
      return filter.kind;
    case 'outcome':
      return `outcome:${filter.outcome}`;
    case 'flip':
      return `flip:${filter.table}:${filter.cell}`;
  }
};

interface HeaderActions {
  filter(filter: RowFilter): void;
}

function filterButton(filter: RowFilter, label: string, count: number, actions: HeaderActions): HTMLElement {
  const button = element('button', {
    class: 'chip',
    'data-filter': filterKey(filter),
    'aria-pressed': 'false',
  });
  button.append(element('span', { class: 'count' }, count.toLocaleString('en-US')), ` ${label}`);
  button.addEventListener('click', () => actions.filter(filter));
  return button;
}

function facts(list: HTMLElement, items: [string, string][]): void {
  list.replaceChildren(
    ...items.flatMap(([label, value]) => [element('dt', {}, label), element('dd', {}, value)]),
  );
}

function showOutcomes(report: EvaluationReport, counts: FilterCounts, actions: HeaderActions): void {
  const chips: HTMLElement[] = [filterButton({ kind: 'all' }, 'all', counts.all, actions)];
  if (report.systems.base) {
    chips.push(
      filterButton({ kind: 'outcome', outcome: 'improved' }, 'improved', counts.improved, actions),
      filterButton({ kind: 'outcome', outcome: 'regressed' }, 'regressed', counts.regressed, actions),
      filterButton({ kind: 'outcome', outcome: 'unchanged' }, 'unchanged', counts.unchanged, actions),
      filterButton({ kind: 'bothWrong' }, 'both wrong', counts.bothWrong, actions),
    );
  } else {
    chips.push(filterButton({ kind: 'bothWrong' }, 'wrong', counts.bothWrong, actions));
  }
  chips.push(filterButton({ kind: 'outcome', outcome: 'error' }, 'errors', counts.error, actions));
  $('outcomes').replaceChildren(...chips);
}

function showMetrics(report: EvaluationReport): void {
  const hasBase = report.systems.base !== undefined;
  const head = element('tr');
  head.append(element('th', {}, 'metric'));
  if (hasBase) head.append(element('th', { class: 'num' }, systemLabel(report, 'base')));
  head.append(element('th', { class: 'num' }, systemLabel(report, 'tuned')));
  if (hasBase) {
    head.append(element('th', { class: 'num' }, 'Δ'));
    const interval = intervalTitle(report);
    head.append(
      element('th', { class: 'num', title: interval ?? '' }, interval ? interval.split(',')[0]! : 'CI'),
    );
  }
  const rows = metricRows(report).map((row) => {
    const tr = element('tr', { class: row.primary ? 'primary' : '', 'data-metric': row.metric });
    const name = element('td');
    name.append(element('span', {}, row.label));
    if (row.primary) name.append(element('span', { class: 'tag' }, 'primary'));
    if (row.signature) name.append(element('div', { class: 'signature' }, row.signature));
    tr.append(name);
    if (hasBase) tr.append(element('td', { class: 'num' }, row.base));
    tr.append(element('td', { class: 'num' }, row.tuned));
    if (hasBase) {
      const direction = row.delta.startsWith('+') ? 'up' : row.delta.startsWith('−') ? 'down' : '';
      tr.append(element('td', { class: `num delta ${direction}` }, row.delta));
      tr.append(element('td', { class: 'num interval' }, row.interval ?? ''));
    }
    return tr;
  });
  $('metrics').replaceChildren(element('thead'), element('tbody'));
  $('metrics').firstElementChild!.append(head);
  $('metrics').lastElementChild!.append(...rows);
}

const CELL_WORDS: Record<FlipCell, string> = {
  both_right: 'both right',
  base_only: 'regressions: base right, tuned wrong',
  tuned_only: 'fixes: base wrong, tuned right',
  both_wrong: 'both wrong',
};

function showFlips(report: EvaluationReport, actions: HeaderActions): void {
  const base = systemLabel(report, 'base');
  const tuned = systemLabel(report, 'tuned');
  const tables = (report.comparison?.flips ?? []).map((table, index) => {
    const cell = (name: FlipCell) => {
      const button = element(
        'button',
        {
          class: `flip-cell ${name}`,
          'data-filter': filterKey({ kind: 'flip', table: index, cell: name }),
          'aria-pressed': 'false',
          title: `Show the ${CELL_WORDS[name]}`,
        },
        table[name].toLocaleString('en-US'),
      );
      button.addEventListener('click', () => actions.filter({ kind: 'flip', table: index, cell: name }));
      const td = element('td');
      td.append(button);
      return td;
    };
    const grid = element('table', { class: 'flip', 'data-table': String(index) });
    const caption = element('caption');
    caption.append(
      element('strong', {}, flipTitle(table)),
      element('span', { class: 'muted' }, ` McNemar p = ${table.mcnemar_p.toPrecision(3)}`),
    );
    const head = element('tr');
    head.append(element('th'), element('th', {}, `${tuned} right`), element('th', {}, `${tuned} wrong`));
    const right = element('tr');
    right.append(element('th', {}, `${base} right`), cell(FLIP_CELLS[0]), cell(FLIP_CELLS[1]));
    const wrong = element('tr');
    wrong.append(element('th', {}, `${base} wrong`), cell(FLIP_CELLS[2]), cell(FLIP_CELLS[3]));
    grid.append(caption, head, right, wrong);
    return grid;
  });
  $('flips').replaceChildren(...tables);
  $('flips').hidden = tables.length === 0;
}

function showClassification(report: EvaluationReport): void {
  const section = $('classification');
  const classification = report.classification;
  section.hidden = !classification;
  if (!classification) return section.replaceChildren();
  const parts: HTMLElement[] = [element('h2', {}, 'Classification')];
  const row = element('div', { class: 'side-by-side' });
  for (const system of systemsOf(report)) {
    const result = classification.systems[system];
    if (!result) continue;
    const block = element('div', { class: 'classification', 'data-system': system });
    block.append(
      element('h3', {}, systemLabel(report, system)),
      element(
        'div',
        { class: 'muted' },
        `accuracy ${formatMetric('exact', result.accuracy)} · macro F1 ${result.macro_f1.toFixed(3)} · micro F1 ${result.micro_f1.toFixed(3)}`,
      ),
    );
    const perLabel = element('table', { class: 'per-label' });
    const head = element('tr');
    for (const name of ['label', 'precision', 'recall', 'F1', 'support'])
      head.append(element('th', { class: name === 'label' ? '' : 'num' }, name));
    perLabel.append(head);
    for (const label of result.per_label) {
      const tr = element('tr');
      tr.append(element('td', { class: 'label' }, label.label));
      for (const value of [label.precision, label.recall, label.f1])
        tr.append(element('td', { class: 'num' }, value.toFixed(3)));
      tr.append(element('td', { class: 'num' }, String(label.support)));
      perLabel.append(tr);
    }
    const confusion = element('table', { class: 'confusion' });
    const columns = element('tr');
    columns.append(element('th', { title: 'rows: reference; columns: predicted' }, 'reference ╲ predicted'));
    for (const column of result.columns) columns.append(element('th', { class: 'label' }, column));
    confusion.append(columns);
    const most = result.confusion.reduce(
      (max, cells) => cells.reduce((m, cell) => Math.max(m, cell), max),
      1,
    );
    result.confusion.forEach((cells, i) => {
      const tr = element('tr');
      tr.append(element('th', { class: 'label' }, classification.labels[i] ?? ''));
      cells.forEach((count, j) => {
        const diagonal = result.columns[j] === classification.labels[i];
        const td = element('td', { class: `num${diagonal ? ' diagonal' : ''}` }, String(count));
        // A heat map through CSSOM (allowed by the CSP, unlike style attributes).
        td.style.setProperty('--heat', String(count / most));
        tr.append(td);
      });
      confusion.append(tr);
    });
    block.append(perLabel, confusion);
    row.append(block);
  }
  parts.push(row);
  section.replaceChildren(...parts);
}

function showJson(report: EvaluationReport): void {
  const section = $('json');
  const json = report.json;
  section.hidden = !json;
  if (!json) return section.replaceChildren();
  const list = element('dl', { class: 'facts' });
  const items: [string, string][] = [['references that parse', formatMetric('exact', json.references)]];
  for (const system of systemsOf(report)) {
    const result = json.systems[system];
    if (result)
      items.push([
        systemLabel(report, system),
        `${formatMetric('exact', result.parses)} parse · ${formatMetric('exact', result.same_keys)} of those with the reference's keys`,
      ]);
  }
  facts(list, items);
  section.replaceChildren(element('h2', {}, 'JSON outputs'), list);
}

export function showHeader(report: EvaluationReport, counts: FilterCounts, actions: HeaderActions): void {
  $('report-id').textContent = report.id;
  $('kind').textContent = report.source.kind;
  $('created').textContent = report.created;
  const verdict = $('verdict');
  verdict.hidden = !report.comparison;
  verdict.textContent = report.comparison?.verdict ?? '';
  showOutcomes(report, counts, actions);
  showMetrics(report);
  showFlips(report, actions);
  showClassification(report);
  showJson(report);
  facts($('source'), sourceFacts(report));
  facts($('generation'), generationFacts(report));
  $('notes').replaceChildren(...report.notes.map((note) => element('li', {}, note)));
  $('problems').replaceChildren(
    ...report.problems.map((problem) =>
      element('li', {}, `${problem.line === undefined ? '' : `line ${problem.line}: `}${problem.message}`),
    ),
  );
  // Whether the details hold problems, in their summary line.
  const summary = $('details').querySelector('summary')!;
  const problems = report.problems.length;
  summary.textContent =
    problems === 0
      ? 'Source and generation settings'
      : `Source, generation settings and ${problems} input problem${problems === 1 ? '' : 's'} (lines not scored)`;
  summary.classList.toggle('has-problems', problems > 0);
}

/** Marks the filter button in use (an outcome chip or a flip cell). */
export function markFilter(filter: RowFilter): void {
  const key = filterKey(filter);
  for (const button of document.querySelectorAll<HTMLElement>('[data-filter]'))
    button.setAttribute('aria-pressed', String(button.dataset['filter'] === key));
}
