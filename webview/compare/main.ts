/**
 * The compare panel (a browser ES module, bundled to dist/webview/compare.js): train loss (smoothed)
 * and eval loss of each selected run, one colour per run. Run names reach the page as text only.
 */
import uPlot from 'uplot';
import { STEP_INCREMENTS, axisStyle, significantDigits, widthForLabels } from '../common/axes.ts';
import {
  isCompareHostMessage,
  type CompareRun,
  type ComparePanelMessage,
  type ComparePanelState,
} from '../../src/shared/webview-protocol.ts';
import { acquireHost, onHostMessage } from '../common/host.ts';
import { Series, pickIndices } from '../common/series.ts';

const vscode = acquireHost<ComparePanelMessage, ComparePanelState>();
const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** Drawn points per curve: about two per pixel of a wide panel. */
const BUCKETS = 1000;
/** Distinct on dark and light themes, in the order runs are selected. */
const COLOURS = [
  'rgb(90,160,255)',
  'rgb(255,150,60)',
  'rgb(120,200,110)',
  'rgb(220,90,200)',
  'rgb(240,200,60)',
  'rgb(90,210,210)',
];

let chart: uPlot | undefined;
/** The runs the chart was built for: while they stay the same, a refresh only replaces its data. */
let chartRuns = '';

/** For tests: counts completed chart draws. */
const probe = { draws: 0 };
(window as unknown as { __compare: typeof probe }).__compare = probe;

/**
 * uPlot's aligned columns: x is the union of every curve's drawn steps; each curve has null at the
 * steps it has no point at (spanGaps joins its own points).
 */
function columns(curves: { steps: number[]; values: (number | null)[] }[]): (number | null)[][] {
  const steps = new Set<number>();
  for (const curve of curves) for (const step of curve.steps) steps.add(step);
  const x = [...steps].sort((a, b) => a - b);
  const at = new Map(x.map((step, index) => [step, index]));
  const data: (number | null)[][] = [x];
  for (const curve of curves) {
    const column: (number | null)[] = new Array(x.length).fill(null);
    curve.steps.forEach((step, index) => (column[at.get(step)!] = curve.values[index]!));
    data.push(column);
  }
  return data;
}

function curvesOf(run: CompareRun): { steps: number[]; values: (number | null)[] }[] {
  const train = new Series();
  run.train.steps.forEach((step, index) => train.add(step, run.train.values[index]!));
  const picked = pickIndices(train.smooth, BUCKETS);
  const evals = new Series();
  run.eval.steps.forEach((step, index) => evals.add(step, run.eval.values[index]!));
  return [
    {
      steps: picked.map((index) => train.steps[index]!),
      values: picked.map((index) => train.smooth[index]!),
    },
    { steps: evals.steps, values: evals.values },
  ];
}

function showLegend(runs: CompareRun[]): void {
  const items = runs.map((run, index) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = COLOURS[index % COLOURS.length]!;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = run.label;
    const counts = document.createElement('span');
    counts.className = 'muted';
    counts.textContent = ` ${run.train.steps.length} train, ${run.eval.steps.length} eval points`;
    item.append(swatch, name, counts);
    return item;
  });
  $('legend').replaceChildren(...items);
}

function draw(runs: CompareRun[]): void {
  const data = columns(runs.flatMap(curvesOf)) as uPlot.AlignedData;
  const key = JSON.stringify(runs.map((run) => [run.id, run.label]));
  if (chart && key === chartRuns) {
    chart.setData(data);
    return;
  }
  chartRuns = key;
  const axis = axisStyle();
  const series: uPlot.Series[] = [{ label: 'step' }];
  runs.forEach((run, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    series.push(
      { label: `${run.label} train`, stroke: colour, width: 2, spanGaps: true },
      {
        label: `${run.label} eval`,
        stroke: colour,
        width: 1,
        dash: [6, 4],
        spanGaps: true,
        points: { show: true, size: 6 },
      },
    );
  });
  chart?.destroy();
  const element = $('chart');
  chart = new uPlot(
    {
      width: Math.max(320, element.clientWidth),
      height: 320,
      scales: { x: { time: false } },
      series,
      axes: [
        { ...axis, label: 'step', incrs: STEP_INCREMENTS },
        { ...axis, label: 'loss', values: significantDigits, size: widthForLabels },
      ],
      legend: { show: false },
      hooks: { draw: [() => (probe.draws += 1)] },
    },
    data,
    element,
  );
  $('points').textContent = `${runs.length} run${runs.length === 1 ? '' : 's'} compared`;
}

onHostMessage('compare panel', isCompareHostMessage, (message) => {
  vscode.setState({ runIds: message.ids });
  showLegend(message.runs);
  draw(message.runs);
});
new ResizeObserver(() =>
  chart?.setSize({ width: Math.max(320, $('chart').clientWidth), height: 320 }),
).observe($('chart'));
vscode.postMessage({ type: 'ready' });
