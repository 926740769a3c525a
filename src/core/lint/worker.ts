/** A worker thread of `workerPoolRunner`: runs the line half of linting on the batches it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { LinePass } from '../engine/linter.ts';
import type { LineInput } from '../engine/types.ts';
import { ALL_CHECKERS } from '../rules/index.ts';
import { describeRuleError, runBatch, type WorkerData } from './runner.ts';

const { config } = workerData as WorkerData;
const errors: string[] = [];
const pass = new LinePass(config, ALL_CHECKERS, (codes, line, error) =>
  errors.push(describeRuleError(codes, line, error)),
);

parentPort!.on('message', (message: { id: number; lines: LineInput[] }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: runBatch(pass, message.lines, errors) });
  } catch (error) {
    // LinePass catches rule errors; this is a failure of the engine itself (e.g. out of memory).
    parentPort!.postMessage({
      id: message.id,
      fatal: error instanceof Error ? error.message : String(error),
    });
  }
});
