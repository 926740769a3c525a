/**
 * The Training Runs view's evaluation actions: "Evaluate Checkpoint…" (a quick pick of the run's
 * complete checkpoints, then `evaluate --checkpoint`, detached like any evaluation) and "Compare
 * Evaluations" (two runs' reports on the same held-out file through the trainer's `compare`, opened
 * in the evaluation panel as run A vs run B).
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationSummary } from '../../shared/evaluation-events.ts';
import type { OtherReport } from '../../shared/evaluation-protocol.ts';
import { readReport } from '../evaluation/reports.ts';
import { ensureTrainer } from '../python/environment.ts';
import { trainerJson } from '../python/interpreter.ts';
import { completeCheckpoints, evaluationItem, heldoutMismatch, type RunSummary } from './history-model.ts';
import { isEvaluationNode, type HistoryNode } from './history.ts';
import type { RunsHost } from './run-panel.ts';

/** Asks which checkpoint, then starts its evaluation; false when there was none or the user left. */
export async function evaluateCheckpoint(run: RunSummary, host: RunsHost): Promise<boolean> {
  const checkpoints = await completeCheckpoints(run.dir);
  if (checkpoints.length === 0) {
    void vscode.window.showInformationMessage(`Run ${run.id} saved no complete checkpoint to evaluate.`);
    return false;
  }
  const evaluated = new Map((run.evaluations ?? []).map((entry) => [entry.id, entry]));
  const picked = await vscode.window.showQuickPick(
    checkpoints.reverse().map((name) => {
      const entry = evaluated.get(name);
      return {
        label: name,
        description: entry ? `evaluated: ${evaluationItem(entry).description}` : undefined,
        name,
      };
    }),
    { placeHolder: `Checkpoint of ${run.model} · ${run.method} to evaluate (base vs this checkpoint)` },
  );
  if (!picked) return false;
  await host.evaluate(run.dir, picked.name);
  return true;
}

interface Side {
  label: string;
  path: string;
}

/** The report of one selected node: an evaluation as it is, a run's by quick pick when it has several. */
async function sideOf(node: HistoryNode): Promise<Side | undefined> {
  if (isEvaluationNode(node)) return { label: `${node.run.id}/${node.report.id}`, path: node.report.path };
  const entries = node.evaluations ?? [];
  if (entries.length === 0) return undefined;
  let chosen: OtherReport | undefined = entries.length === 1 ? entries[0] : undefined;
  if (!chosen) {
    const items = entries.map((entry) => ({
      label: entry.id,
      description: evaluationItem(entry).description,
      entry,
    }));
    // The final result first: what "compare two runs" usually means.
    items.sort((a, b) => Number(b.label === 'final') - Number(a.label === 'final'));
    chosen = (
      await vscode.window.showQuickPick(items, { placeHolder: `Evaluation of run ${node.id} to compare` })
    )?.entry;
  }
  return chosen && { label: `${node.id}/${chosen.id}`, path: chosen.path };
}

/**
 * A (base side) vs B (tuned side), in selection order. Refused, with the reason, when the two were
 * evaluated on different held-out files. The result goes to `<run B>/comparisons/` (not beside B's
 * reports, where it would join B's checkpoint chart) and opens in the evaluation panel.
 */
export async function compareEvaluations(
  nodes: readonly HistoryNode[],
  output: vscode.LogOutputChannel,
): Promise<void> {
  if (nodes.length !== 2)
    return void vscode.window.showInformationMessage(
      'Select two evaluated runs (or two of their evaluations) to compare their evaluations.',
    );
  const sides: Side[] = [];
  for (const node of nodes) {
    const side = await sideOf(node);
    if (!side) {
      const id = isEvaluationNode(node) ? node.run.id : node.id;
      return void vscode.window.showInformationMessage(`Run ${id} has no evaluation yet: Evaluate it first.`);
    }
    sides.push(side);
  }
  const [a, b] = sides as [Side, Side];
  const [ra, rb] = [await readReport(a.path), await readReport(b.path)];
  if (!ra.ok || !rb.ok)
    return void vscode.window.showWarningMessage(ra.ok ? (rb as { problem: string }).problem : ra.problem);
  const mismatch = heldoutMismatch({ ...a, report: ra.report }, { ...b, report: rb.report });
  if (mismatch) return void vscode.window.showWarningMessage(mismatch);
  const python = await ensureTrainer();
  if (!python) return;
  const runB = isEvaluationNode(nodes[1]!) ? nodes[1].run : (nodes[1] as RunSummary);
  const name = `${a.label}-vs-${b.label}`.replace(/[^\w.-]+/g, '.');
  const target = join(runB.dir, 'comparisons', `${name}.json`);
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Comparing ${a.label} with ${b.label}…` },
    () =>
      trainerJson<EvaluationSummary>(python, [
        'compare',
        '--base',
        a.path,
        '--tuned',
        b.path,
        '--output',
        target,
      ]),
  );
  output.info(`compare ${a.path} ${b.path}: ${target}`);
  if (typeof summary.problems === 'number' && summary.problems > 0)
    void vscode.window.showWarningMessage(
      `${summary.problems} problem(s) matching the examples: see the panel's details.`,
    );
  await vscode.commands.executeCommand('tunesmith.evaluation.show', target);
}
