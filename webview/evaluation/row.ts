/**
 * One example as a row of the evaluation panel: the prompt (one line, or its turns when expanded),
 * the reference (shaded by Δlog-prob when expanded and the tokens are known), the outputs marked
 * word by word against the reference, the scores and, expanded, every score and the actions. Model
 * and dataset text goes in as text nodes only.
 */
import {
  METRICS,
  type EvaluationExample,
  type EvaluationReport,
  type MetricName,
  type SystemId,
} from '../../src/shared/evaluation-report.ts';
import type { NearestMessage, TextSide, Tokens } from '../../src/shared/evaluation-protocol.ts';
import {
  METRIC_SHORT,
  exampleDelta,
  formatDelta,
  formatMetric,
  promptLine,
  promptTurns,
  systemLabel,
  tokenShades,
  tokenTitle,
  type DiffPart,
} from '../../src/shared/evaluation-view.ts';
import { element } from '../common/dom.ts';
import { formatSimilarity, nearestSection, similarityLine, type ExampleSimilarity } from './semantic.ts';

/**
 * What a collapsed cell renders of a long text: more than its three lines show in a wide panel, and
 * not much more (every character drawn is laid out, shown or not).
 */
const COLLAPSED_CHARS = 240;

interface RowContext {
  report: EvaluationReport;
  expanded: boolean;
  /** The metric the rows are sorted by, shown beside the primary one. */
  sortMetric: MetricName | undefined;
  /** The output's parts against the reference; undefined while not computed, null when given up. */
  diff(system: SystemId): DiffPart[] | null | undefined;
  /** The reference's tokens: undefined while asked for, null when the report has none. */
  tokens: Tokens | null | undefined;
  /** Whether the held-out (or predictions) file can be opened at the example's line. */
  canOpenLine: boolean;
  /** cosine(output, reference), once the host computed it. */
  similarity: ExampleSimilarity | undefined;
  /** The nearest training examples (a regressed example, expanded): undefined until answered. */
  nearest: NearestMessage | undefined;
}

const WHITESPACE_GLYPHS: Record<string, string> = { ' ': '␣', '\n': '↵\n', '\t': '⇥', '\r': '␍' };

/** A changed run that is only whitespace would be invisible: it shows as glyphs (␣ ↵ ⇥) instead. */
function changeNode(part: DiffPart, text: string): HTMLElement {
  const node = element(part.kind === 'added' ? 'ins' : 'del', {
    title: part.kind === 'added' ? 'not in the reference' : 'in the reference, missing here',
  });
  if (/^\s+$/.test(text)) {
    node.classList.add('ws');
    node.textContent = [...text].map((char) => WHITESPACE_GLYPHS[char] ?? char).join('');
  } else node.textContent = text;
  return node;
}

/** The parts as nodes, cut after `limit` characters (a collapsed cell). */
function diffNodes(parts: DiffPart[], limit: number): (Node | string)[] {
  const nodes: (Node | string)[] = [];
  let left = limit;
  for (const part of parts) {
    if (left <= 0) {
      nodes.push('…');
      break;
    }
    const text = part.text.length > left ? `${part.text.slice(0, left)}…` : part.text;
    left -= part.text.length;
    nodes.push(part.kind === 'same' ? text : changeNode(part, text));
  }
  return nodes;
}

const clip = (text: string, expanded: boolean): string =>
  expanded || text.length <= COLLAPSED_CHARS ? text : `${text.slice(0, COLLAPSED_CHARS)}…`;

function promptCell(example: EvaluationExample, expanded: boolean): HTMLElement {
  const cell = element('div', { class: 'cell prompt', role: 'cell' });
  if (!expanded) {
    cell.textContent = clip(promptLine(example), false);
    return cell;
  }
  for (const turn of promptTurns(example)) {
    const block = element('div', { class: 'turn' });
    block.append(
      element('span', { class: 'role' }, turn.role),
      element('div', { class: 'content' }, turn.content),
    );
    cell.append(block);
  }
  if (example.messages && example.messages.length > 0) {
    const rendered = element('details', { class: 'rendered' });
    rendered.append(element('summary', {}, 'as the model saw it'), element('pre', {}, example.prompt));
    cell.append(rendered);
  }
  return cell;
}

function referenceCell(example: EvaluationExample, context: RowContext): HTMLElement {
  const cell = element('div', { class: 'cell text reference', role: 'cell' });
  if (context.expanded && context.tokens) {
    cell.classList.add('shaded');
    for (const token of tokenShades(context.tokens))
      cell.append(element('span', { class: `tok s${token.shade}`, title: tokenTitle(token) }, token.text));
  } else cell.textContent = clip(example.reference, context.expanded);
  return cell;
}

function outputCell(example: EvaluationExample, system: SystemId, context: RowContext): HTMLElement {
  const output = example.outputs[system] ?? '';
  const cell = element('div', { class: `cell text output ${system}`, role: 'cell' });
  const parts = context.diff(system);
  const limit = context.expanded ? Infinity : COLLAPSED_CHARS;
  if (parts) cell.append(...diffNodes(parts, limit));
  else {
    cell.textContent = clip(output, context.expanded);
    if (parts === null) cell.title = 'Too different from the reference to mark word by word.';
  }
  if (output === '') cell.append(element('span', { class: 'muted' }, '(empty)'));
  if (example.truncated?.includes(system))
    cell.append(
      element('span', { class: 'truncated', title: 'The output stopped at max_new_tokens.' }, ' ⋯ cut off'),
    );
  return cell;
}

const formatDeltaSimilarity = (delta: number): string =>
  `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta).toFixed(3)}`;

const mark = (right: boolean | undefined): string => (right === undefined ? '' : right ? '✓' : '✗');

/** "F1 0.308 → 1.000 (+0.692)", or "F1 1.000" without base. */
function scoreLine(example: EvaluationExample, metric: MetricName): string {
  const tuned = formatMetric(metric, example.scores.tuned[metric]);
  if (!example.scores.base) return `${METRIC_SHORT[metric]} ${tuned}`;
  const base = formatMetric(metric, example.scores.base[metric]);
  return `${METRIC_SHORT[metric]} ${base} → ${tuned} (${formatDelta(metric, exampleDelta(example, metric))})`;
}

const OUTCOME_ICONS = { improved: '▲', regressed: '▼', unchanged: '=', error: '!' } as const;

function scoresCell(example: EvaluationExample, context: RowContext): HTMLElement {
  const { report } = context;
  const cell = element('div', { class: 'cell scores', role: 'cell' });
  const head = element('div', { class: `outcome ${example.outcome}` });
  head.append(`${OUTCOME_ICONS[example.outcome]} ${example.outcome}`);
  const marks = report.systems.base
    ? ` · base ${mark(example.correct.base)} tuned ${mark(example.correct.tuned)}`
    : ` · ${mark(example.correct.tuned)}`;
  if (example.outcome !== 'error')
    head.append(element('span', { class: 'muted', title: 'exact match (normalised)' }, marks));
  cell.append(head, element('div', { class: 'score' }, scoreLine(example, report.primary)));
  if (context.sortMetric && context.sortMetric !== report.primary)
    cell.append(element('div', { class: 'score sorted' }, scoreLine(example, context.sortMetric)));
  if (context.similarity)
    cell.append(
      element(
        'div',
        {
          class: 'score similarity',
          title: 'semantic similarity: cosine of output and reference embeddings',
        },
        similarityLine(context.similarity),
      ),
    );
  if (example.error) cell.append(element('div', { class: 'error' }, clip(example.error, context.expanded)));
  return cell;
}

/** Expanded: every score of the example, and what can be done with it. */
function detail(example: EvaluationExample, context: RowContext): HTMLElement {
  const { report } = context;
  const box = element('div', { class: 'detail' });
  const table = element('table', { class: 'example-scores' });
  const head = element('tr');
  head.append(element('th', {}, 'metric'));
  if (example.scores.base) head.append(element('th', { class: 'num' }, systemLabel(report, 'base')));
  head.append(element('th', { class: 'num' }, systemLabel(report, 'tuned')));
  if (example.scores.base) head.append(element('th', { class: 'num' }, 'Δ'));
  table.append(head);
  for (const metric of METRICS) {
    const tr = element('tr', { class: metric === report.primary ? 'primary' : '' });
    tr.append(element('td', {}, METRIC_SHORT[metric]));
    if (example.scores.base)
      tr.append(element('td', { class: 'num' }, formatMetric(metric, example.scores.base[metric])));
    tr.append(element('td', { class: 'num' }, formatMetric(metric, example.scores.tuned[metric])));
    if (example.scores.base)
      tr.append(element('td', { class: 'num' }, formatDelta(metric, exampleDelta(example, metric))));
    table.append(tr);
  }
  const similarity = context.similarity;
  if (similarity) {
    const tr = element('tr', { class: 'similarity' });
    tr.append(element('td', { title: 'cosine of output and reference embeddings' }, 'semantic'));
    if (example.scores.base)
      tr.append(
        element(
          'td',
          { class: 'num' },
          similarity.base === undefined ? '' : formatSimilarity(similarity.base),
        ),
      );
    tr.append(element('td', { class: 'num' }, formatSimilarity(similarity.tuned)));
    if (example.scores.base)
      tr.append(
        element(
          'td',
          { class: 'num' },
          similarity.base === undefined ? '' : formatDeltaSimilarity(similarity.tuned - similarity.base),
        ),
      );
    table.append(tr);
  }
  const actions = element('div', { class: 'actions' });
  const action = (label: string, name: string, extra: Record<string, string> = {}) =>
    actions.append(element('vscode-button', { secondary: '', 'data-action': name, ...extra }, label));
  if (context.canOpenLine && example.line !== undefined) action(`Open line ${example.line}`, 'openHeldout');
  const compare = (left: TextSide, right: TextSide, label: string) =>
    action(label, 'compareInDiff', { 'data-left': left, 'data-right': right });
  if (example.outputs.base !== undefined) compare('base', 'tuned', 'Compare base ↔ tuned');
  compare('tuned', 'reference', 'Compare tuned ↔ reference');
  if (example.outputs.base !== undefined) compare('base', 'reference', 'Compare base ↔ reference');
  box.append(table, actions);
  if (example.outcome === 'regressed') box.append(nearestSection(context.nearest));
  if (context.tokens === undefined)
    box.append(element('div', { class: 'muted' }, 'Loading token log-probs…'));
  return box;
}

export function buildRow(example: EvaluationExample, position: number, context: RowContext): HTMLElement {
  const { report, expanded } = context;
  const row = element('div', {
    class: `row grid ${example.outcome}${expanded ? ' expanded' : ''}`,
    role: 'row',
    'data-index': String(example.index),
    'data-position': String(position),
  });
  const number = element('div', { class: 'cell number', role: 'cell' });
  number.append(
    element(
      'button',
      { class: 'expand', 'aria-expanded': String(expanded), title: expanded ? 'Collapse' : 'Expand' },
      expanded ? '▾' : '▸',
    ),
    element('span', { class: 'index' }, `#${example.index}`),
  );
  if (example.line !== undefined)
    number.append(element('div', { class: 'muted line' }, `line ${example.line}`));
  row.append(number, promptCell(example, expanded), referenceCell(example, context));
  for (const system of report.systems.base ? (['base', 'tuned'] as const) : (['tuned'] as const))
    row.append(outputCell(example, system, context));
  row.append(scoresCell(example, context));
  if (expanded) row.append(detail(example, context));
  return row;
}
