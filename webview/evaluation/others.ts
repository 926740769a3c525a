/**
 * The other evaluations of the same run (its `evaluations/` folder): the tuned model's primary metric
 * and normalised exact match by training step, with the base model at step 0, as a small chart; and
 * the list of reports, each of which opens in its own panel.
 */
import uPlot from 'uplot';
import type { MetricName } from '../../src/shared/evaluation-report.ts';
import type { OtherReport } from '../../src/shared/evaluation-protocol.ts';
import { METRIC_LABELS, METRIC_SHORT, formatMetric } from '../../src/shared/evaluation-view.ts';
import { STEP_INCREMENTS, axisStyle, significantDigits, widthForLabels } from '../common/axes.ts';
import { element } from '../common/dom.ts';

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const HEIGHT = 180;

let chart: uPlot | undefined;

/** For tests: the points drawn, and where a step lies on the page (to click its point). */
export const othersProbe = {
  points: 0,
  pointAt(step: number): { x: number; y: number } | undefined {
    if (!chart) return undefined;
    const box = chart.over.getBoundingClientRect();
    return { x: box.left + chart.valToPos(step, 'x'), y: box.top + box.height / 2 };
  },
};

export function showOthers(reports: OtherReport[], primary: MetricName, open: (path: string) => void): void {
  const section = $('others');
  section.hidden = reports.length < 2;
  chart?.destroy();
  chart = undefined;
  if (section.hidden) return;
  const withStep = reports.filter((report) => report.step !== undefined).sort((a, b) => a.step! - b.step!);
  const base = reports.find((report) => report.metrics.base)?.metrics.base;
  const steps: number[] = [];
  const values: number[] = [];
  const exact: number[] = [];
  /** The report of each point (none for the base model's): a click on a point opens it. */
  const points: (OtherReport | undefined)[] = [];
  if (base && !withStep.some((report) => report.step === 0)) {
    steps.push(0);
    values.push(base[primary]);
    exact.push(base.exact_normalized);
    points.push(undefined);
  }
  for (const report of withStep) {
    steps.push(report.step!);
    values.push(report.metrics.tuned[primary]);
    exact.push(report.metrics.tuned.exact_normalized);
    points.push(report);
  }
  othersProbe.points = steps.length;
  const element_ = $('others-chart');
  const axis = axisStyle();
  if (steps.length > 0)
    chart = new uPlot(
      {
        width: Math.max(280, Math.min(640, element_.clientWidth)),
        height: HEIGHT,
        scales: { x: { time: false }, share: { range: [0, 1] } },
        series: [
          { label: 'step' },
          {
            label: `${METRIC_LABELS[primary]} (tuned)`,
            stroke: 'rgb(90,160,255)',
            width: 2,
            points: { show: true, size: 7 },
            value: (_chart, value) => formatMetric(primary, value),
          },
          {
            label: 'exact match, normalised (tuned)',
            stroke: 'rgb(255,150,60)',
            width: 2,
            dash: [5, 4],
            scale: 'share',
            points: { show: true, size: 6 },
            value: (_chart, value) => formatMetric('exact', value),
          },
        ],
        axes: [
          { ...axis, label: 'step (0: base model)', incrs: STEP_INCREMENTS },
          { ...axis, label: METRIC_SHORT[primary], values: significantDigits, size: widthForLabels },
          {
            ...axis,
            scale: 'share',
            side: 1,
            grid: { show: false },
            label: 'EM',
            values: (_chart, splits) => splits.map((value) => `${Math.round(value * 100)}%`),
          },
        ],
      },
      [steps, values, exact],
      element_,
    );
  if (chart) {
    const drawn = chart;
    // The point under the cursor (uPlot snaps the cursor to the nearest step): its outputs, in its panel.
    drawn.over.addEventListener('click', () => {
      const index = drawn.cursor.idx;
      const report = index === null || index === undefined ? undefined : points[index];
      if (report && !report.current) open(report.path);
    });
    drawn.over.title = 'Click a checkpoint to see its outputs';
  }
  $('others-list').replaceChildren(
    ...reports.map((report) => {
      const item = element('li');
      const label = `${report.id}${report.step === undefined ? '' : ` · step ${report.step}`} · ${METRIC_SHORT[primary]} ${formatMetric(primary, report.metrics.tuned[primary])} · EM ${formatMetric('exact', report.metrics.tuned.exact_normalized)}`;
      if (report.current) item.append(element('span', { class: 'current' }, `${label} (shown)`));
      else {
        const button = element('button', { class: 'link', 'data-path': report.path }, label);
        button.addEventListener('click', () => open(report.path));
        item.append(button);
      }
      return item;
    }),
  );
}

export function resizeOthers(): void {
  chart?.setSize({ width: Math.max(280, Math.min(640, $('others-chart').clientWidth)), height: HEIGHT });
}
