/**
 * Evaluating a finished run: `python -m tunesmith_trainer evaluate --config <run>/config.json`,
 * detached like training (its own PID file, so it outlives a reload), followed through the events it
 * appends to evaluation.events.jsonl. No `vscode` here.
 */
import { join } from 'node:path';
import { isEvaluationEvent, type EvaluationEvent } from '../../shared/evaluation-events.ts';
import type { EvaluationView } from '../../shared/webview-protocol.ts';
import { isAlive, launchDetached, readPidFile, runFiles } from './run.ts';
import { EventParser, FileTail, type Parsed } from './tail.ts';

export const evaluationFiles = (dir: string) => ({
  events: join(dir, 'evaluation.events.jsonl'),
  /** Its stdout (the summary as JSON) and stderr (library logs, a trace) together. */
  log: join(dir, 'evaluate.log'),
  pid: join(dir, 'evaluate.pid'),
});

/** `checkpoint`: a folder name of `<run>/checkpoints` (checkpoint-150); else the final result. */
export const evaluateArgs = (configPath: string, checkpoint?: string): string[] => [
  '-m',
  'tunesmith_trainer',
  'evaluate',
  '--config',
  configPath,
  ...(checkpoint === undefined ? [] : ['--checkpoint', checkpoint]),
];

export function launchEvaluate(python: string, dir: string, checkpoint?: string): Promise<number> {
  const files = evaluationFiles(dir);
  return launchDetached(python, evaluateArgs(runFiles(dir).config, checkpoint), {
    cwd: dir,
    stdout: files.log,
    log: files.log,
    pid: files.pid,
  });
}

/**
 * Asks a running evaluation to stop (SIGTERM: the trainer reports `cancelled` and writes nothing, so
 * the previous report stays). False when none of this run is running.
 */
export async function cancelEvaluation(dir: string): Promise<boolean> {
  const process_ = await readPidFile(evaluationFiles(dir).pid);
  if (process_ === undefined || !isAlive(process_.pid)) return false;
  process.kill(process_.pid, 'SIGTERM');
  return true;
}

/**
 * The last evaluation's state: only events after the last `eval_started` count. An evaluation whose
 * process is gone without `eval_finished` failed; one launched after the last finish is running.
 */
export function evaluationView(
  events: readonly EvaluationEvent[],
  process: { alive: boolean; since?: number },
): EvaluationView {
  const start = events.findLastIndex((event) => event.type === 'eval_started');
  const last = start === -1 ? [] : events.slice(start);
  const finished = last.findLast((event) => event.type === 'eval_finished');
  const running = process.alive && (!finished || (process.since ?? 0) > Date.parse(finished.time));
  if (running) {
    // A relaunch that has not reported yet shows no progress of the attempt before it.
    const progress = finished ? undefined : last.findLast((event) => event.type === 'eval_progress');
    return progress
      ? { state: 'running', phase: progress.phase, done: progress.done, total: progress.total }
      : { state: 'running' };
  }
  if (start === -1) return { state: 'none' };
  if (finished?.status === 'completed' && finished.summary)
    return { state: 'completed', summary: finished.summary };
  if (finished?.status === 'cancelled') {
    // The trainer leaves the previous report as it was: the panel keeps showing it.
    const previous = events
      .slice(0, start)
      .findLast((event) => event.type === 'eval_finished' && event.status === 'completed' && event.summary);
    const summary = previous?.type === 'eval_finished' ? previous.summary : undefined;
    return summary ? { state: 'cancelled', summary } : { state: 'cancelled' };
  }
  const error = last.findLast((event) => event.type === 'error');
  if (error) return { state: 'failed', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return {
    state: 'failed',
    message: 'The evaluation stopped without reporting why (it was killed, or it crashed).',
  };
}

/** Follows one run's evaluation files; `poll` returns the view and any skipped-line warnings. */
export class EvaluationFollower {
  events: EvaluationEvent[] = [];
  private readonly tail: FileTail;
  private parser = this.newParser();

  constructor(readonly dir: string) {
    this.tail = new FileTail(evaluationFiles(dir).events);
  }

  private newParser(): EventParser<EvaluationEvent> {
    return new EventParser(isEvaluationEvent, 'evaluation.events.jsonl');
  }

  async poll(): Promise<{ view: EvaluationView; warnings: string[] }> {
    const chunk = await this.tail.read();
    if (chunk?.reset) {
      this.parser = this.newParser();
      this.events = [];
    }
    const parsed: Parsed<EvaluationEvent> = chunk
      ? this.parser.push(chunk.bytes)
      : { events: [], warnings: [] };
    const process = await readPidFile(evaluationFiles(this.dir).pid);
    const alive = process !== undefined && isAlive(process.pid);
    if (!alive) {
      const rest = this.parser.end();
      // Loops, not push(...): a chunk of events.jsonl can hold any number of events.
      for (const event of rest.events) parsed.events.push(event);
      for (const warning of rest.warnings) parsed.warnings.push(warning);
    }
    for (const event of parsed.events) this.events.push(event);
    const view = evaluationView(this.events, process ? { alive, since: process.since } : { alive });
    return { view, warnings: parsed.warnings };
  }
}
