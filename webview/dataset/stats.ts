/**
 * The dataset view's Statistics section: the charts of `tunesmith stats` (computed on the host by
 * the core's collector, src/core/stats/charts.ts) and, on each bar, the filter that shows its rows.
 *
 * Token histograms are uPlot bar charts (`paths.bars`): a numeric axis with ticks, up to ~30 bins
 * and the `tokens.max` line drawn over them. Every other chart is a list of DOM bars: their
 * categories are text from the file (labels, system prompts, codes), which a canvas would have to
 * cut to fit a tick and could not make focusable; as buttons they wrap, keep their full text in a
 * tooltip, take the keyboard, and are set with textContent like every other text of the file.
 */
import uPlot from 'uplot';
import { FORMAT_NAMES } from '../../src/core/engine/formats.ts';
import type { DatasetCharts, DatasetFilter } from '../../src/shared/dataset-protocol.ts';
import { STEP_INCREMENTS, axisStyle, widthForLabels } from '../common/axes.ts';
import { element } from '../common/dom.ts';

type TokenHistogram = NonNullable<DatasetCharts['tokens']>;
type ApplyFilter = (change: Partial<DatasetFilter>) => void;

const HEIGHT = 150;
const BAR = 'rgba(90, 160, 255, 0.75)';
const LIMIT = 'rgb(230, 80, 60)';
const SELECTED = 'rgba(90, 160, 255, 0.22)';
const number = (value: number) => value.toLocaleString('en-US');

interface Drawn {
  chart: uPlot;
  counts: number[];
}
const drawn = new Map<string, Drawn>();

/** For tests: each histogram's bars, and where bar `index` lies on the page (to click it). */
export const chartsProbe = {
  histograms: () => Object.fromEntries([...drawn].map(([name, { counts }]) => [name, counts])),
  barAt(name: string, index: number): { x: number; y: number } | undefined {
    const chart = drawn.get(name)?.chart;
    if (!chart) return undefined;
    const x = chart.data[0][index];
    if (x === undefined) return undefined;
    const box = chart.over.getBoundingClientRect();
    return { x: box.left + chart.valToPos(x, 'x'), y: box.top + box.height - 4 };
  },
};

function card(title: string, note?: string): { node: HTMLElement; body: HTMLElement } {
  const node = element('div', { class: 'stat-card' });
  node.append(element('h3', {}, title));
  if (note) node.append(element('div', { class: 'muted note' }, note));
  const body = element('div', { class: 'stat-body' });
  node.append(body);
  return { node, body };
}

/** A tokens histogram with the limit line; a click on a bar filters to its range (of `role`). */
function histogramCard(
  name: string,
  title: string,
  histogram: TokenHistogram,
  limit: number,
  role: string | undefined,
  apply: ApplyFilter,
  current: DatasetFilter,
): HTMLElement {
  const { width, counts } = histogram;
  // The bin the rows are filtered to, if any: drawn highlighted.
  const selected =
    current.tokenRole === role &&
    current.minTokens !== undefined &&
    current.minTokens % width === 0 &&
    current.maxTokens === current.minTokens + width - 1
      ? current.minTokens / width
      : undefined;
  const top = counts.length * width;
  // The limit is drawn when it falls within reach of the data; far beyond it would squash the bars.
  const showLimit = limit <= top * 2;
  const note = showLimit
    ? `${number(histogram.total)} examples · tokens.max ${number(limit)} (red line)`
    : `${number(histogram.total)} examples · tokens.max ${number(limit)} is beyond the longest (${number(histogram.max)})`;
  const { node, body } = card(title, note);
  const hover = element('div', { class: 'muted hover' }, 'Click a bar to show its examples.');
  node.append(hover);
  const xs = counts.map((_, index) => index * width + width / 2);
  const axis = axisStyle();
  const range = (from: number) => `${number(from)}–${number(from + width - 1)}`;
  const chart = new uPlot(
    {
      width: 300,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: () => [0, showLimit ? Math.max(top, limit * 1.05) : top] },
        y: { range: (_chart, _min, max) => [0, Math.max(1, max) * 1.1] },
      },
      series: [
        {},
        {
          label: 'examples',
          fill: BAR,
          stroke: BAR,
          // No outline: an empty bin would draw as a stub on the baseline.
          width: 0,
          paths: uPlot.paths.bars!({ size: [0.92, Infinity, 1], align: 0 }),
          points: { show: false },
        },
      ],
      axes: [
        { ...axis, incrs: STEP_INCREMENTS, label: 'tokens', labelSize: 16, size: 36 },
        { ...axis, incrs: STEP_INCREMENTS, size: widthForLabels },
      ],
      hooks: {
        draw: [
          (self) => {
            const { ctx, bbox } = self;
            if (selected !== undefined) {
              const left = self.valToPos(selected * width, 'x', true);
              const right = self.valToPos((selected + 1) * width, 'x', true);
              ctx.save();
              ctx.fillStyle = SELECTED;
              ctx.fillRect(left, bbox.top, right - left, bbox.height);
              ctx.restore();
            }
            if (!showLimit) return;
            const x = self.valToPos(limit, 'x', true);
            ctx.save();
            ctx.strokeStyle = LIMIT;
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
        setCursor: [
          (self) => {
            const index = self.cursor.idx;
            hover.textContent =
              index === null || index === undefined
                ? 'Click a bar to show its examples.'
                : `${range(index * width)} tokens: ${number(counts[index] ?? 0)} example${counts[index] === 1 ? '' : 's'}`;
          },
        ],
      },
    },
    [xs, counts],
    body,
  );
  chart.over.title = 'Click a bar to show its examples';
  chart.over.addEventListener('click', () => {
    const index = chart.cursor.idx;
    if (index === null || index === undefined || !counts[index]) return;
    apply({ minTokens: index * width, maxTokens: (index + 1) * width - 1, tokenRole: role });
  });
  drawn.set(name, { chart, counts });
  return node;
}

interface Bar {
  label: string;
  count: number;
  filter?: Partial<DatasetFilter>;
  /** The full text, when the label is cut to fit. */
  title?: string;
  /** Text of the file (a label, a system prompt): shown in a monospace, clamped block. */
  data?: boolean;
}

/** Bars as buttons: the count's share of the largest as the bar's length. */
function barsCard(
  name: string,
  title: string,
  bars: Bar[],
  apply: ApplyFilter,
  current: DatasetFilter,
  note?: string,
): HTMLElement {
  const { node, body } = card(title, note);
  body.classList.add('bars');
  body.dataset['chart'] = name;
  const largest = bars.reduce((most, bar) => Math.max(most, bar.count), 1);
  if (bars.length === 0) body.append(element('div', { class: 'muted' }, 'None.'));
  for (const bar of bars) {
    const filter = bar.filter;
    const button = element<HTMLButtonElement>('button', { class: 'bar', type: 'button' });
    if (!filter) button.disabled = true;
    const active =
      filter !== undefined &&
      Object.entries(filter).every(([key, value]) => current[key as keyof DatasetFilter] === value);
    button.setAttribute('aria-pressed', String(active));
    button.title = `${bar.title ?? bar.label}\n${number(bar.count)}${filter ? ' · click to show them' : ''}`;
    const label = element('span', { class: bar.data ? 'bar-label data' : 'bar-label' }, bar.label);
    const track = element('span', { class: 'bar-track' });
    const fill = element('span', { class: 'bar-fill' });
    fill.style.width = `${Math.max(1, (bar.count / largest) * 100)}%`;
    track.append(fill);
    button.append(label, track, element('span', { class: 'bar-count' }, number(bar.count)));
    if (filter) button.addEventListener('click', () => apply(filter));
    body.append(button);
  }
  return node;
}

/** Draws the charts (again: after an edit, a filter change or a resize). */
export function showCharts(
  container: HTMLElement,
  charts: DatasetCharts,
  current: DatasetFilter,
  apply: ApplyFilter,
): void {
  for (const { chart } of drawn.values()) chart.destroy();
  drawn.clear();
  const cards: HTMLElement[] = [];
  if (charts.tokens)
    cards.push(
      histogramCard(
        'tokens',
        `Tokens per example (${charts.tokenizer})`,
        charts.tokens,
        charts.maxTokens,
        undefined,
        apply,
        current,
      ),
    );
  for (const { role, histogram } of charts.roles)
    cards.push(
      histogramCard(
        `role:${role}`,
        `Tokens of ${role} turns`,
        histogram,
        charts.maxTokens,
        role,
        apply,
        current,
      ),
    );
  cards.push(
    barsCard(
      'formats',
      'Format',
      charts.formats.map(({ format, count }) => ({ label: FORMAT_NAMES[format], count, filter: { format } })),
      apply,
      current,
    ),
    barsCard(
      'turns',
      'Turns per example',
      charts.turns.map(({ turns, count }) => ({
        label: `${turns} turn${turns === 1 ? '' : 's'}`,
        count,
        filter: { minTurns: turns, maxTurns: turns },
      })),
      apply,
      current,
    ),
  );
  if (charts.labels)
    cards.push(
      barsCard(
        'labels',
        'Labels (answers from a small set)',
        charts.labels.map(({ label, count }) => ({ label, count, filter: { label }, data: true })),
        apply,
        current,
      ),
    );
  const clusters = (sizes: DatasetCharts['duplicates'], code: string): Bar[] =>
    sizes.map(({ size, clusters }) => ({
      label: `${number(size)} examples`,
      count: clusters,
      title: `${number(clusters)} cluster${clusters === 1 ? '' : 's'} of ${number(size)} examples (${code})`,
      filter: { code },
    }));
  cards.push(
    barsCard(
      'duplicates',
      'Duplicate clusters (by size)',
      clusters(charts.duplicates, 'consistency/duplicate'),
      apply,
      current,
      'Clusters of copies; a bar shows the copies (the first of each is not a finding).',
    ),
    barsCard(
      'near-duplicates',
      'Near-duplicate clusters (by size)',
      clusters(charts.nearDuplicates, 'consistency/near-duplicate'),
      apply,
      current,
    ),
    barsCard(
      'pii',
      'PII findings by type',
      charts.pii.map(({ code, count }) => ({ label: code, count, filter: { code } })),
      apply,
      current,
    ),
    barsCard(
      'secrets',
      'Secret findings by type',
      charts.secrets.map(({ code, count }) => ({ label: code, count, filter: { code } })),
      apply,
      current,
    ),
  );
  const prompts: Bar[] = charts.systemPrompts.map(({ text, length, count }) => ({
    label: text,
    count,
    data: true,
    title: length > text.length ? `${text}… (${number(length)} characters)` : text,
    // A prompt cut for sending cannot be matched exactly: its bar filters nothing.
    filter: length === text.length ? { system: text } : undefined,
  }));
  const others = charts.otherSystemPrompts;
  cards.push(
    barsCard(
      'system-prompts',
      'System prompts',
      prompts,
      apply,
      current,
      `${number(charts.noSystemPrompt)} examples without one${others ? ` · ${number(others)} with other prompts` : ''}`,
    ),
  );
  container.replaceChildren(...cards);
  resizeCharts();
}

/** Each histogram as wide as its card. */
export function resizeCharts(): void {
  for (const { chart } of drawn.values()) {
    const body = chart.root.parentElement;
    const width = Math.max(220, (body?.clientWidth ?? 300) - 4);
    if (Math.abs(chart.width - width) > 1) chart.setSize({ width, height: HEIGHT });
  }
}
