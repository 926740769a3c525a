/**
 * What the run history shows, computed from a run's events and state: the tree item, the status bar
 * text, and which runs just ended (for notifications). No `vscode` here, so all of it runs under
 * node:test; history.ts turns these into tree items, a status bar item and messages.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sourcePath } from '../evaluation/reports.ts';
import type { OtherReport } from '../../shared/evaluation-protocol.ts';
import type { EvaluationReport } from '../../shared/evaluation-report.ts';
import { METRIC_LABELS, METRIC_SHORT, formatDelta, formatMetric } from '../../shared/evaluation-view.ts';
import type { TrainerEvent } from '../../shared/trainer-events.ts';
import type { CompareRun, RunState } from '../../shared/webview-protocol.ts';
import { evaluationFiles } from './evaluate.ts';
import { isAlive, readPid, readPidFile } from './run.ts';

export interface RunSummary {
  id: string;
  dir: string;
  state: RunState;
  /** Why it failed, in plain words. */
  detail?: string;
  /** The base model's folder name, and the method (lora, qlora, …). */
  model: string;
  method: string;
  step?: number;
  totalSteps?: number;
  etaSeconds?: number | null;
  loss?: number | null;
  evalLoss?: number | null;
  lastCheckpoint?: string;
  /** The `finished` event's paths (the result: adapter, model) when the run finished. */
  paths?: Record<string, string>;
  /** Its evaluation reports (`evaluations/*.json`), in training order: the tree item's children. */
  evaluations?: OtherReport[];
}

export function summarize(
  id: string,
  dir: string,
  events: readonly TrainerEvent[],
  state: { state: RunState; detail?: string },
): RunSummary {
  const summary: RunSummary = { id, dir, ...state, model: 'model', method: 'run' };
  for (const event of events) {
    switch (event.type) {
      case 'started': {
        const model = (event.config['model'] as { path?: unknown } | undefined)?.path;
        const method = (event.config['method'] as { type?: unknown } | undefined)?.type;
        if (typeof model === 'string') summary.model = basename(model);
        if (typeof method === 'string') summary.method = method;
        break;
      }
      case 'progress':
        summary.step = event.step;
        summary.totalSteps = event.total_steps;
        summary.etaSeconds = event.eta_seconds;
        break;
      case 'log':
        if (event.loss !== undefined) summary.loss = event.loss;
        break;
      case 'eval':
        if (event.eval_loss !== undefined) summary.evalLoss = event.eval_loss;
        break;
      case 'checkpoint':
        summary.lastCheckpoint = event.path;
        break;
      case 'finished':
        if (event.step !== undefined) summary.step = event.step;
        summary.paths = event.paths;
        break;
    }
  }
  return summary;
}

/** Before the trainer's `started` event: the model and method from the config the run was created with. */
export function withConfig(summary: RunSummary, config: unknown): RunSummary {
  if (summary.model !== 'model' || typeof config !== 'object' || config === null) return summary;
  const { model, method } = config as { model?: { path?: unknown }; method?: { type?: unknown } };
  return {
    ...summary,
    ...(typeof model?.path === 'string' ? { model: basename(model.path) } : {}),
    ...(typeof method?.type === 'string' ? { method: method.type } : {}),
  };
}

const fmt = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined ? '–' : Number(value.toPrecision(digits)).toString();

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const percent = (run: RunSummary): number | undefined =>
  run.totalSteps ? Math.floor((100 * (run.step ?? 0)) / run.totalSteps) : undefined;

interface TreeItemModel {
  label: string;
  description: string;
  tooltip: string;
  /** A codicon name; `~spin` animates it. */
  icon: string;
  /** For the context menus: `run-<state>`, plus `-resumable` when a checkpoint exists. */
  contextValue: string;
}

const ICONS: Record<RunState, string> = {
  running: 'sync~spin',
  completed: 'pass',
  cancelled: 'circle-slash',
  failed: 'error',
};

/** `folder`: the workspace folder's name, given in a multi-root workspace so rows say where a run is. */
export function treeItem(run: RunSummary, folder?: string): TreeItemModel {
  const progress = run.totalSteps ? `${run.step ?? 0}/${run.totalSteps}` : undefined;
  const loss = run.loss !== undefined ? `loss ${fmt(run.loss)}` : undefined;
  const description = [folder, run.state, progress, loss].filter(Boolean).join(' · ');
  const tooltip = [
    `${run.model} · ${run.method} — ${run.state}`,
    run.detail,
    `Run ${run.id}`,
    progress && `Step ${progress} (${percent(run)}%)`,
    run.state === 'running' && run.etaSeconds ? `ETA ${duration(run.etaSeconds)}` : undefined,
    loss && `Last train ${loss}`,
    run.evalLoss !== undefined ? `Last eval loss ${fmt(run.evalLoss)}` : undefined,
    run.lastCheckpoint && `Last checkpoint: ${run.lastCheckpoint}`,
    run.dir,
  ]
    .filter(Boolean)
    .join('\n');
  const resumable = (run.state === 'cancelled' || run.state === 'failed') && run.lastCheckpoint !== undefined;
  return {
    label: `${run.model} · ${run.method}`,
    description,
    tooltip,
    icon: ICONS[run.state],
    contextValue: `run-${run.state}${resumable ? '-resumable' : ''}`,
  };
}

interface StatusModel {
  text: string;
  tooltip: string;
  /** The run a click opens: the most recently started active one. */
  runId: string;
}

/** The status bar item while runs are active; undefined when none is. `runs` are newest first. */
export function statusModel(runs: readonly RunSummary[]): StatusModel | undefined {
  const active = runs.filter((run) => run.state === 'running');
  const run = active[0];
  if (!run) return undefined;
  const share = percent(run);
  const parts = [
    active.length > 1 ? `${active.length} runs` : 'Training',
    share === undefined ? 'starting' : `${share}%`,
    run.etaSeconds ? `ETA ${duration(run.etaSeconds)}` : undefined,
  ];
  return {
    text: `$(sync~spin) ${parts.filter(Boolean).join(' · ')}`,
    tooltip:
      `${run.model} · ${run.method}: step ${run.step ?? 0}/${run.totalSteps ?? '?'}` +
      (active.length > 1 ? `\n${active.length - 1} more run(s) active` : '') +
      '\nClick to open the run.',
    runId: run.id,
  };
}

/**
 * Keeps one object per run across refreshes, updated in place, and says what the tree must redraw:
 * nothing, those runs only, or everything (a run appeared, went or moved). A whole-tree refresh makes
 * VS Code forget its items for a moment, and a context-menu command chosen then arrives without its
 * run; a running run changes every second, so its own refresh must not be a whole-tree one.
 */
export function mergeRuns(
  previous: readonly RunSummary[],
  next: readonly RunSummary[],
): { runs: RunSummary[]; redraw: 'none' | 'all' | RunSummary[] } {
  const byDir = new Map(previous.map((run) => [run.dir, run]));
  const sameOrder = previous.length === next.length && next.every((run, i) => previous[i]!.dir === run.dir);
  const changed: RunSummary[] = [];
  const runs = next.map((run) => {
    const kept = byDir.get(run.dir);
    if (!kept) return run;
    if (JSON.stringify(kept) === JSON.stringify(run)) return kept;
    for (const key of Object.keys(kept)) if (!(key in run)) Reflect.deleteProperty(kept, key);
    Object.assign(kept, run);
    changed.push(kept);
    return kept;
  });
  return { runs, redraw: !sameOrder ? 'all' : changed.length > 0 ? changed : 'none' };
}

/**
 * Remembers each run's last seen state, and reports the runs seen running that have now ended. A
 * run first seen already ended (before this window opened) is never reported.
 */
export class Transitions {
  private readonly seen = new Map<string, RunState>();

  observe(runs: readonly RunSummary[]): RunSummary[] {
    const ended: RunSummary[] = [];
    for (const run of runs) {
      if (this.seen.get(run.id) === 'running' && run.state !== 'running') ended.push(run);
      this.seen.set(run.id, run.state);
    }
    return ended;
  }

  forget(id: string): void {
    this.seen.delete(id);
  }
}

/** The notification for an ended run, or undefined when it deserves none (cancelled by the user). */
export function endMessage(
  run: RunSummary,
): { level: 'info' | 'error'; text: string; actions: string[] } | undefined {
  const name = `${run.model} · ${run.method}`;
  if (run.state === 'completed') {
    const loss = run.evalLoss !== undefined ? ` (eval loss ${fmt(run.evalLoss)})` : '';
    return { level: 'info', text: `Run ${name} completed${loss}.`, actions: ['Open', 'Evaluate'] };
  }
  if (run.state === 'failed')
    return {
      level: 'error',
      text: `Run ${name} failed: ${run.detail ?? 'the trainer stopped without saying why.'}`,
      actions: ['Open Log'],
    };
  return undefined;
}

/** A run's curves for the compare panel; a resumed run's repeated steps are left to the page's Series. */
export function compareRun(run: RunSummary, events: readonly TrainerEvent[]): CompareRun {
  const curves: CompareRun = {
    id: run.id,
    label: `${run.model} · ${run.method} (${run.id})`,
    train: { steps: [], values: [] },
    eval: { steps: [], values: [] },
  };
  for (const event of events) {
    if (event.type === 'log' && event.loss !== undefined) {
      curves.train.steps.push(event.step);
      curves.train.values.push(event.loss ?? null);
    } else if (event.type === 'eval' && event.eval_loss !== undefined) {
      curves.eval.steps.push(event.step);
      curves.eval.values.push(event.eval_loss ?? null);
    }
  }
  return curves;
}

/** Deletes the run's directory, never while its trainer or its evaluation runs. */
export async function deleteRun(dir: string): Promise<{ deleted: boolean; reason?: string }> {
  const trainer = await readPid(dir);
  if (trainer && isAlive(trainer.pid))
    return { deleted: false, reason: 'The run is still running: cancel it first.' };
  const evaluation = await readPidFile(evaluationFiles(dir).pid);
  if (evaluation && isAlive(evaluation.pid))
    return { deleted: false, reason: 'The run is being evaluated: wait for the evaluation to end.' };
  await rm(dir, { recursive: true, force: true });
  return { deleted: true };
}

/** A run's evaluation as a child of its tree item: its id, and the primary metric base → tuned. */
export function evaluationItem(entry: OtherReport): { label: string; description: string; tooltip: string } {
  const { primary, metrics } = entry;
  const tuned = formatMetric(primary, metrics.tuned[primary]);
  const description = metrics.base
    ? `${METRIC_SHORT[primary]} ${formatMetric(primary, metrics.base[primary])} → ${tuned} (${formatDelta(primary, metrics.tuned[primary] - metrics.base[primary])})`
    : `${METRIC_SHORT[primary]} ${tuned}`;
  const step = entry.step === undefined ? '' : ` at step ${entry.step}`;
  return {
    label: entry.id,
    description,
    tooltip: `Evaluation ${entry.id}${step}: ${METRIC_LABELS[primary]} ${description.slice(METRIC_SHORT[primary].length + 1)}\n${entry.path}`,
  };
}

const CHECKPOINT = /^checkpoint-(\d+)$/;

/**
 * The run's checkpoints that `evaluate --checkpoint` can load, oldest first. The trainer writes each
 * into `checkpoints/.partial/` and renames it into place once whole (checkpoints.py), so a
 * `checkpoint-N` folder is a complete one; `.partial` is not listed.
 */
export async function completeCheckpoints(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'checkpoints'), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && CHECKPOINT.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => Number(CHECKPOINT.exec(a)![1]) - Number(CHECKPOINT.exec(b)![1]));
}

/**
 * Why two reports cannot be compared example by example (undefined when they can): they were made on
 * different held-out files. The same file changed between the two evaluations is comparable (the
 * trainer matches lines by their text and says so); a copy elsewhere with the same bytes is the same.
 */
export function heldoutMismatch(
  a: { label: string; path: string; report: EvaluationReport },
  b: { label: string; path: string; report: EvaluationReport },
): string | undefined {
  const file = (side: typeof a) => {
    const heldout = side.report.source.heldout;
    return heldout && { ...heldout, path: sourcePath(side.path, heldout.path) };
  };
  const [fa, fb] = [file(a), file(b)];
  if (!fa || !fb)
    return `${fa ? b.label : a.label} has no held-out file to match examples by: compare needs two evaluations of the same file.`;
  if (fa.path === fb.path) return undefined;
  if (fa.sha256 !== undefined && fa.sha256 === fb.sha256) return undefined;
  return `${a.label} was evaluated on ${fa.path} and ${b.label} on ${fb.path}: compare needs two evaluations of the same held-out file.`;
}
