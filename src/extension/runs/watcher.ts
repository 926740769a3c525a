/**
 * Follows one run directory and turns what changes in it into run-panel messages. Polls rather than
 * using fs.watch: the files are appended by another process, fs.watch misses such changes on some
 * file systems (network mounts, containers), and a stat every few hundred ms costs nothing.
 */
import { resolve } from 'node:path';
import type { TrainerEvent } from '../../shared/trainer-events.ts';
import type { Action, EvaluationView, RunHostMessage, RunState } from '../../shared/webview-protocol.ts';
import { EvaluationFollower } from './evaluate.ts';
import { EventParser, FileTail, LineSplitter } from './tail.ts';
import { isAlive, readPid, runFiles, runState } from './run.ts';

/** Why Cancel is off once a run has ended, in plain words. */
const ENDED: Record<Exclude<RunState, 'running'>, string> = {
  completed: 'The run completed.',
  cancelled: 'The run was cancelled.',
  failed: 'The run failed.',
};

/** How often a followed run's files are read (a stat each when nothing changed). */
export const POLL_MS = 300;

/** The panel shows the end of the log; older lines stay in trainer.log. */
const LOG_LINES = 500;

export class RunWatcher {
  events: TrainerEvent[] = [];
  log: string[] = [];
  state: { state: RunState; detail?: string } | undefined;
  private eventTail: FileTail;
  private parser = new EventParser();
  private logTail: FileTail;
  private logLines = new LineSplitter();
  private readonly decoder = new TextDecoder();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;
  private lastState = '';
  private lastError = '';
  private readonly evaluation: EvaluationFollower | undefined;
  private evaluationMessage: RunHostMessage | undefined;

  constructor(
    readonly id: string,
    readonly dir: string,
    private readonly post: (message: RunHostMessage) => void,
    /** Why launching is not allowed here (an untrusted workspace), or undefined. */
    private readonly launchBlocked: () => string | undefined,
    /** A panel follows the log and the evaluation too; the run history needs only the events. */
    private readonly panel = true,
  ) {
    this.eventTail = new FileTail(runFiles(dir).events);
    this.logTail = new FileTail(runFiles(dir).log);
    this.evaluation = panel ? new EvaluationFollower(dir) : undefined;
  }

  start(intervalMs = POLL_MS): this {
    this.timer ??= setInterval(
      () => void this.poll().catch((error: unknown) => this.readFailed(error)),
      intervalMs,
    );
    return this;
  }

  /** A run folder that cannot be read (permissions, a folder where a file should be) is said once. */
  private readFailed(error: unknown): void {
    const message = `The run's files could not be read: ${error instanceof Error ? error.message : String(error)}`;
    if (message === this.lastError) return;
    this.lastError = message;
    this.post({ type: 'notice', message });
  }

  /** One poll at a time: a slow read must not interleave with the next one. */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => (this.polling = undefined));
    return this.polling;
  }

  /** What a panel that (re)connects needs: everything so far. */
  snapshot(): RunHostMessage[] {
    const messages: RunHostMessage[] = [
      { type: 'reset', runId: this.id, events: this.events, log: this.log },
    ];
    if (this.state) messages.push(this.stateMessage(this.state));
    if (this.evaluationMessage) messages.push(this.evaluationMessage);
    return messages;
  }

  /**
   * The report of the last completed evaluation (still the one after a cancelled attempt), as the
   * trainer named it: relative paths are the run directory's (its working directory).
   */
  evaluationReport(): string | undefined {
    const message = this.evaluationMessage;
    const summary = message?.type === 'evaluation' ? message.evaluation.summary : undefined;
    return summary?.report === undefined ? undefined : resolve(this.dir, summary.report);
  }

  /** Re-sends the state (trust changed, or a launch just happened). */
  async refresh(): Promise<void> {
    this.lastState = '';
    this.evaluationMessage = undefined;
    await this.poll();
  }

  private async read(): Promise<void> {
    const chunk = await this.eventTail.read();
    if (chunk?.reset) {
      this.parser = new EventParser();
      this.events = [];
    }
    const parsed = chunk ? this.parser.push(chunk.bytes) : { events: [], warnings: [] };
    const trainer = await readPid(this.dir);
    const alive = trainer !== undefined && isAlive(trainer.pid);
    if (!alive) {
      // The writer is gone: an unterminated last line will never be completed.
      const rest = this.parser.end();
      // Loops, not push(...): a chunk of events.jsonl can hold any number of events.
      for (const event of rest.events) parsed.events.push(event);
      for (const warning of rest.warnings) parsed.warnings.push(warning);
    }
    if (chunk?.reset) this.post({ type: 'reset', runId: this.id, events: [], log: this.log });
    if (parsed.events.length > 0) {
      for (const event of parsed.events) this.events.push(event);
      this.post({ type: 'events', events: parsed.events });
    }
    for (const message of parsed.warnings) this.post({ type: 'notice', message });
    if (this.panel) await this.readLog();
    const state = runState(this.events, trainer ? { alive, since: trainer.since } : { alive });
    const key = JSON.stringify(state);
    this.state = state;
    if (key !== this.lastState) {
      this.lastState = key;
      this.post(this.stateMessage(state));
    }
    if (this.evaluation) await this.readEvaluation(this.evaluation, state.state);
  }

  private async readEvaluation(follower: EvaluationFollower, state: RunState): Promise<void> {
    const { view, warnings } = await follower.poll();
    for (const message of warnings) this.post({ type: 'notice', message });
    const message: RunHostMessage = {
      type: 'evaluation',
      evaluation: view,
      evaluate: this.evaluateAction(state, view),
    };
    if (JSON.stringify(message) === JSON.stringify(this.evaluationMessage)) return;
    this.evaluationMessage = message;
    this.post(message);
  }

  private evaluateAction(state: RunState, view: EvaluationView): Action {
    if (state !== 'completed')
      return { enabled: false, reason: 'Evaluation compares the finished result with the base model.' };
    if (view.state === 'running') return { enabled: false, reason: 'The evaluation is running.' };
    const blocked = this.launchBlocked();
    return blocked ? { enabled: false, reason: blocked } : { enabled: true };
  }

  private async readLog(): Promise<void> {
    const chunk = await this.logTail.read();
    if (!chunk || chunk.bytes.length === 0) return;
    // Progress bars redraw a line with carriage returns; only the last drawing is worth showing.
    const lines = this.logLines
      .push(chunk.bytes)
      .map((bytes) => this.decoder.decode(bytes).split('\r').pop()!);
    if (lines.length === 0) return;
    this.log = [...this.log, ...lines].slice(-LOG_LINES);
    this.post({ type: 'log', lines });
  }

  private stateMessage({ state, detail }: { state: RunState; detail?: string }): RunHostMessage {
    const cancel: Action = state === 'running' ? { enabled: true } : { enabled: false, reason: ENDED[state] };
    return { type: 'state', state, ...(detail ? { detail } : {}), cancel, resume: this.resumeAction(state) };
  }

  private resumeAction(state: RunState): Action {
    if (state === 'running') return { enabled: false, reason: 'The run is running.' };
    if (state === 'completed') return { enabled: false, reason: ENDED.completed };
    const blocked = this.launchBlocked();
    if (blocked) return { enabled: false, reason: blocked };
    if (!this.events.some((event) => event.type === 'checkpoint'))
      return { enabled: false, reason: 'The run saved no checkpoint to resume from.' };
    return { enabled: true };
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
