/**
 * Messages between the extension and the "New fine-tuning run" form: one union per direction, each
 * with a guard that the receiving side runs (what a webview posts is untrusted input). The guards are
 * schemas/new-run-protocol.schema.json compiled ahead of time (validators.generated.ts,
 * `npm run schema`; ajv's run-time compile is blocked by the CSP).
 */
import { newRunFormMessage, newRunHostMessage } from './validators.generated.ts';
import type { FirstError } from './protocol.ts';

/** A base-model folder as checked by the extension (src/extension/new-run/model-folder.ts). */
export interface ModelInfo {
  path: string;
  name: string;
  /** Plain-words reasons the trainer could not load it; empty when all is there. */
  problems: string[];
  sizeBytes: number;
  architecture?: string;
  modelType?: string;
  hiddenSize?: number;
  layers?: number;
  contextLength?: number;
  /** Summed from the safetensors headers; absent for .bin weights or a damaged file. */
  parameters?: number;
  weights?: string;
}

export interface DatasetFile {
  uri: string;
  /** The file system path, as the run config holds it. */
  path: string;
  /** Path relative to the workspace folder (with the folder's name in a multi-root workspace). */
  label: string;
  /**
   * The run a launch with this training file creates, in the workspace folder that holds the file:
   * its directory and exact command. Absent when no one folder holds it (the launch asks which).
   */
  run?: { dir: string; command: string[] };
}

export interface DatasetSummaryView {
  uri: string;
  examples: number;
  format: string;
  errors: number;
  warnings: number;
  /** The first error by position: the reason the form gives for not launching. */
  firstError?: FirstError;
}

export interface EnvInfo {
  python: string;
  torch?: string;
  /** The first CUDA GPU; absent when the run goes to the CPU. */
  gpu?: { name: string; memoryBytes: number };
  /** Why the trainer cannot run with this interpreter (doctor failed), in plain words. */
  problem?: string;
}

export interface EstimateView {
  device: string;
  /** Null when the free memory is unknown. */
  fits: boolean | null;
  totalBytes: number;
  freeBytes: number | null;
  suggestions: { change: string; totalBytes: number; fits: boolean }[];
}

/** Extension → form. */
export type NewRunHostMessage =
  | {
      type: 'init';
      /**
       * The run directory a launch creates (the config's output.dir) and the exact command it runs
       * (interpreter, then its argument array), unless the chosen training file has its own `run`.
       */
      runDir: string;
      command: string[];
      models: ModelInfo[];
      datasets: DatasetFile[];
      /** Why launching is not allowed here (an untrusted workspace). */
      blocked?: string;
    }
  /**
   * Workspace trust was granted while the form is open: launching is allowed now, and the command may
   * name another interpreter (a workspace's `tunesmith.pythonPath` applies only once it is trusted).
   */
  | { type: 'trusted'; command: string[] }
  | { type: 'env'; env: EnvInfo }
  /** A model folder the user browsed to: added to the list and selected. */
  | { type: 'model'; model: ModelInfo }
  | { type: 'datasets'; datasets: DatasetFile[]; select?: { train: string; validation: string } }
  | { type: 'summary'; summary: DatasetSummaryView | { uri: string; error: string } }
  | { type: 'estimate'; seq: number; estimate?: EstimateView; error?: string }
  | { type: 'error'; message: string };

/** Form → extension. */
export type NewRunFormMessage =
  | { type: 'ready' }
  | { type: 'browse' }
  | { type: 'summarize'; uri: string }
  | { type: 'split'; uri: string }
  | { type: 'estimate'; seq: number; config: Record<string, unknown> }
  | { type: 'launch'; config: Record<string, unknown>; override: boolean };

export const isNewRunHostMessage = (value: unknown): value is NewRunHostMessage => newRunHostMessage(value);
export const isNewRunFormMessage = (value: unknown): value is NewRunFormMessage => newRunFormMessage(value);
