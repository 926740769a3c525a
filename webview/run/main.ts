/**
 * The run panel (a browser ES module, bundled to dist/webview/run.js). Everything the trainer wrote
 * reaches the page as text (textContent), never as HTML: a log line or a data error may quote the
 * dataset, and the dataset may hold anything.
 */
import uPlot from 'uplot';
import { STEP_INCREMENTS, axisStyle, significantDigits, widthForLabels } from '../common/axes.ts';
import type { TrainerEvent } from '../../src/shared/trainer-events.ts';
import {
  isRunHostMessage,
  type Action,
  type EvaluationView,
  type RunHostMessage,
  type RunPanelMessage,
  type RunPanelState,
} from '../../src/shared/webview-protocol.ts';
import { acquireHost, onHostMessage } from '../common/host.ts';
import { Series, chartColumns } from '../common/series.ts';
import { formatBytes } from '../../src/shared/format.ts';
import type { EvaluationHeadline, EvaluationSummary } from '../../src/shared/evaluation-events.ts';
import { METRICS, type MetricName } from '../../src/shared/evaluation-report.ts';
import { METRIC_LABELS, formatDelta, formatMetric } from '../../src/shared/evaluation-view.ts';

const vscode = acquireHost<RunPanelMessage, RunPanelState>();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Buckets for the drawn curve: about two points per pixel of a wide panel. */
const BUCKETS = 1000;
const LOG_LINES = 500;

let train = new Series();
let evals = new Series();
let total = 0;
let step = 0;
let lastProgress: Extract<TrainerEvent, { type: 'progress' }> | undefined;
let lastLog: Extract<TrainerEvent, { type: 'log' }> | undefined;
let chart: uPlot | undefined;
let drawScheduled = false;

/** For tests and the performance measurement: counts completed chart draws. */
const probe = { draws: 0, lastDraw: 0, drawStart: 0, lastDrawMs: 0 };
(window as unknown as { __runPanel: typeof probe }).__runPanel = probe;

function makeChart(): uPlot {
  const axis = axisStyle();
  const element = $('chart');
  return new uPlot(
    {
      width: Math.max(320, element.clientWidth),
      height: 280,
      scales: { x: { time: false }, lr: { auto: true } },
      series: [
        { label: 'step' },
        { label: 'train loss', stroke: 'rgba(90,160,255,0.35)', width: 1 },
        { label: 'train loss (smoothed)', stroke: 'rgb(90,160,255)', width: 2 },
        {
          label: 'eval loss',
          stroke: 'rgb(255,150,60)',
          width: 2,
          spanGaps: true,
          points: { show: true, size: 6 },
        },
        { label: 'learning rate', stroke: 'rgba(160,200,120,0.8)', width: 1, scale: 'lr', spanGaps: true },
      ],
      axes: [
        { ...axis, label: 'step', incrs: STEP_INCREMENTS },
        { ...axis, label: 'loss', values: significantDigits, size: widthForLabels },
        {
          ...axis,
          scale: 'lr',
          side: 1,
          grid: { show: false },
          label: 'learning rate',
          values: significantDigits,
          size: widthForLabels,
        },
      ],
      hooks: {
        draw: [
          () => {
            probe.draws += 1;
            probe.lastDraw = performance.now();
            probe.lastDrawMs = probe.lastDraw - probe.drawStart;
          },
        ],
      },
    },
    [[], [], [], [], []],
    element,
  );
}

/** Redraws at most once per frame however many events arrive. */
function scheduleDraw(now = false): void {
  if (now) {
    draw();
    return;
  }
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(() => {
    drawScheduled = false;
    draw();
  });
}

function draw(): void {
  probe.drawStart = performance.now();
  chart ??= makeChart();
  chart.setData(chartColumns(train, evals, BUCKETS) as uPlot.AlignedData);
  $('points').textContent =
    `${train.length.toLocaleString('en-US')} train points, ${evals.length} eval points`;
}

const fmt = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined ? '–' : Number(value.toPrecision(digits)).toString();

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function showProgress(event: Extract<TrainerEvent, { type: 'progress' }>): void {
  lastProgress = event;
  total = event.total_steps;
  step = event.step;
  const bar = $<HTMLProgressElement>('progress');
  bar.max = Math.max(1, total);
  bar.value = step;
  const percent = total > 0 ? Math.floor((100 * step) / total) : 0;
  const eta =
    event.eta_seconds === null || event.eta_seconds === undefined
      ? ''
      : ` · ETA ${duration(event.eta_seconds)}`;
  $('progress-text').textContent =
    `step ${step} / ${total} · ${percent}% · epoch ${fmt(event.epoch, 3)}${eta}`;
}

/**
 * The trainer reports progress at most once a second but logs every `logging_steps`; on a fast run
 * the bar would lag the chart, so a later logged step moves it too (the ETA stays the trainer's).
 */
function advance(loggedStep: number): void {
  if (lastProgress && loggedStep > step) showProgress({ ...lastProgress, step: loggedStep });
}

function showStats(): void {
  $('lr').textContent = fmt(lastLog?.learning_rate, 3);
  $('tps').textContent = lastLog?.tokens_per_second
    ? Math.round(lastLog.tokens_per_second).toLocaleString('en-US')
    : '–';
  $('loss').textContent = fmt(lastLog?.loss);
  $('eval').textContent = fmt(evals.values.filter((value) => value !== null).at(-1));
  $('gpu').textContent = lastLog?.gpu_memory_bytes ? formatBytes(lastLog.gpu_memory_bytes) : '–';
}

const share = (value: number): string => `${Math.round(value * 1000) / 10}%`;

/**
 * The headline of an evaluation: the primary metric base → tuned with its change, the report's verdict
 * in words and the improved / regressed counts (a summary from before reports has none of it).
 */
function showHeadline(summary: EvaluationSummary | undefined): void {
  const primary = summary?.primary as MetricName | undefined;
  const metrics = summary?.metrics;
  const known = primary !== undefined && METRICS.includes(primary) && metrics !== undefined;
  $('evaluation-headline').hidden = !known;
  $('evaluation-summary').hidden = summary === undefined;
  $<HTMLButtonElement>('open-evaluation').hidden = summary?.report === undefined;
  if (!summary) return;
  $('evaluation-examples').textContent = String(summary.examples);
  $('evaluation-base').textContent =
    summary.exact_match.base === undefined ? '–' : share(summary.exact_match.base);
  $('evaluation-tuned').textContent = share(summary.exact_match.tuned);
  $('evaluation-output').textContent = summary.report
    ? `Report: ${summary.report}`
    : `Generations side by side: ${summary.output}`;
  if (!known) return;
  const key = primary as keyof EvaluationHeadline;
  const tuned = metrics.tuned[key];
  const base = metrics.base?.[key];
  $('evaluation-metric').textContent =
    base === undefined
      ? `${METRIC_LABELS[primary]} ${formatMetric(primary, tuned)}`
      : `${METRIC_LABELS[primary]} ${formatMetric(primary, base)} → ${formatMetric(primary, tuned)}`;
  const change = $('evaluation-change');
  change.textContent = base === undefined ? '' : `(${formatDelta(primary, tuned - base)})`;
  change.className = `change${base === undefined ? '' : tuned > base ? ' up' : tuned < base ? ' down' : ''}`;
  $('evaluation-verdict').textContent = summary.verdict ?? '';
  const outcomes = summary.outcomes;
  $('evaluation-outcomes').replaceChildren(
    ...(outcomes
      ? (['improved', 'regressed', 'unchanged', 'error'] as const)
          .filter((outcome) => outcome !== 'error' || outcomes.error > 0)
          .map((outcome) => {
            const item = document.createElement('span');
            item.className = outcome;
            item.textContent = `${outcomes[outcome]} ${outcome === 'error' ? 'errors' : outcome}`;
            return item;
          })
      : []),
  );
}

/** The last evaluation: progress while it runs, then the headline or why it failed (all as text). */
function showEvaluation(view: EvaluationView): void {
  $('evaluation').hidden = view.state === 'none';
  const bar = $<HTMLProgressElement>('evaluation-progress');
  bar.hidden = view.state !== 'running';
  $<HTMLButtonElement>('cancel-evaluation').hidden = view.state !== 'running';
  $('evaluation-output').textContent = '';
  showHeadline(view.state === 'completed' || view.state === 'cancelled' ? view.summary : undefined);
  if (view.state === 'running') {
    const total = view.total ?? 0;
    // Two phases (base, then tuned) over the same examples: one bar for both.
    const done = (view.phase === 'tuned' ? total : 0) + (view.done ?? 0);
    bar.max = Math.max(1, 2 * total);
    bar.value = done;
    $('evaluation-text').textContent = view.phase
      ? `evaluating: ${view.phase} model, ${view.done ?? 0} / ${total} examples`
      : 'evaluating: loading the models…';
  } else if (view.state === 'completed') {
    $('evaluation-text').textContent = 'evaluation completed';
  } else if (view.state === 'cancelled') {
    $('evaluation-text').textContent = view.summary
      ? 'evaluation cancelled: the previous evaluation below is unchanged'
      : 'evaluation cancelled';
  } else if (view.state === 'failed') {
    $('evaluation-text').textContent =
      `evaluation failed: ${view.message ?? 'unknown reason'}` +
      (view.hint ? ` What to do: ${view.hint}` : '');
  }
}

function addProblem(kind: 'warning' | 'error' | 'notice', message: string, hint?: string | null): void {
  const item = document.createElement('li');
  item.className = kind;
  const title = document.createElement('strong');
  title.textContent = kind === 'error' ? 'Error: ' : kind === 'warning' ? 'Warning: ' : 'Note: ';
  const text = document.createElement('span');
  text.textContent = message;
  item.append(title, text);
  if (hint) {
    const what = document.createElement('div');
    what.className = 'hint';
    what.textContent = `What to do: ${hint}`;
    item.append(what);
  }
  $('problems').append(item);
}

function apply(event: TrainerEvent): void {
  switch (event.type) {
    case 'started':
      $('device').textContent =
        `${event.device.name ?? event.device.type} · ${event.device.precision ?? ''} · ` +
        `${event.parameters.trainable.toLocaleString('en-US')} of ${event.parameters.total.toLocaleString('en-US')} parameters trained`;
      break;
    case 'progress':
      showProgress(event);
      break;
    case 'log':
      lastLog = event;
      advance(event.step);
      if (event.loss !== undefined) train.add(event.step, event.loss ?? null, event.learning_rate ?? null);
      break;
    case 'eval':
      advance(event.step);
      if (event.eval_loss !== undefined) evals.add(event.step, event.eval_loss ?? null);
      break;
    case 'checkpoint':
      $('checkpoint').textContent = `checkpoint at step ${event.step}`;
      break;
    case 'warning':
      addProblem('warning', event.message, event.hint);
      break;
    case 'error': {
      const where = event.file ? ` (${event.file}${event.line ? `, line ${event.line}` : ''})` : '';
      addProblem('error', `${event.message}${where}`, event.hint);
      break;
    }
    case 'finished':
      if (event.step !== undefined && lastProgress)
        showProgress({ ...lastProgress, step: event.step, eta_seconds: null });
      break;
  }
}

function appendLog(lines: readonly string[]): void {
  const log = $('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  const text = (log.textContent ? `${log.textContent}\n` : '') + lines.join('\n');
  log.textContent = text.split('\n').slice(-LOG_LINES).join('\n');
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function setAction(id: string, action: Action): void {
  const button = $<HTMLButtonElement>(id);
  button.disabled = !action.enabled;
  button.title = action.reason ?? '';
  $(`${id}-reason`).textContent = action.enabled ? '' : (action.reason ?? '');
}

function handle(message: RunHostMessage): void {
  switch (message.type) {
    case 'reset':
      train = new Series();
      evals = new Series();
      lastLog = undefined;
      lastProgress = undefined;
      $('problems').replaceChildren();
      $('log').textContent = '';
      $('run-id').textContent = message.runId;
      vscode.setState({ runId: message.runId });
      message.events.forEach(apply);
      appendLog(message.log);
      break;
    case 'events':
      message.events.forEach(apply);
      break;
    case 'log':
      appendLog(message.lines);
      return;
    case 'state':
      $('state').textContent = message.state;
      $('state').className = `state ${message.state}`;
      $('state-detail').textContent = message.detail ?? '';
      setAction('cancel', message.cancel);
      setAction('resume', message.resume);
      return;
    case 'notice':
      addProblem('notice', message.message);
      return;
    case 'evaluation':
      setAction('evaluate', message.evaluate);
      showEvaluation(message.evaluation);
      return;
  }
  showStats();
  scheduleDraw(message.type === 'reset');
}

onHostMessage('run panel', isRunHostMessage, handle);
$('cancel').addEventListener('click', () => vscode.postMessage({ type: 'cancel' }));
$('resume').addEventListener('click', () => vscode.postMessage({ type: 'resume' }));
$('evaluate').addEventListener('click', () => vscode.postMessage({ type: 'evaluate' }));
$('open-evaluation').addEventListener('click', () => vscode.postMessage({ type: 'openEvaluation' }));
$('cancel-evaluation').addEventListener('click', () => vscode.postMessage({ type: 'cancelEvaluation' }));
$('open-folder').addEventListener('click', () => vscode.postMessage({ type: 'openFolder' }));
new ResizeObserver(() =>
  chart?.setSize({ width: Math.max(320, $('chart').clientWidth), height: 280 }),
).observe($('chart'));
vscode.postMessage({ type: 'ready' });
