/**
 * Messages between the extension and the "New fine-tuning run" form: one union per direction, each
 * with a hand-written guard that the receiving side runs (ajv's compile is blocked by the CSP, and
 * what a webview posts is untrusted input).
 */
import type { FirstError } from './protocol.ts';
import { isObject, isStrings } from './trainer-events.ts';

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

const isStr = (value: unknown): value is string => typeof value === 'string';
const isNum = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const optional = (value: unknown, guard: (v: unknown) => boolean): boolean =>
  value === undefined || guard(value);

function isModel(value: unknown): value is ModelInfo {
  return (
    isObject(value) &&
    isStr(value['path']) &&
    isStr(value['name']) &&
    isStrings(value['problems']) &&
    isNum(value['sizeBytes']) &&
    ['architecture', 'modelType', 'weights'].every((key) => optional(value[key], isStr)) &&
    ['hiddenSize', 'layers', 'contextLength', 'parameters'].every((key) => optional(value[key], isNum))
  );
}

const isDataset = (value: unknown): value is DatasetFile =>
  isObject(value) &&
  isStr(value['uri']) &&
  isStr(value['path']) &&
  isStr(value['label']) &&
  optional(value['run'], (run) => isObject(run) && isStr(run['dir']) && isStrings(run['command']));

function isSummary(value: unknown): boolean {
  if (!isObject(value) || !isStr(value['uri'])) return false;
  if (isStr(value['error'])) return true;
  return (
    isNum(value['examples']) &&
    isStr(value['format']) &&
    isNum(value['errors']) &&
    isNum(value['warnings']) &&
    optional(
      value['firstError'],
      (e) => isObject(e) && isNum(e['line']) && isStr(e['code']) && isStr(e['message']),
    )
  );
}

function isEnv(value: unknown): value is EnvInfo {
  if (!isObject(value) || !isStr(value['python'])) return false;
  const gpu = value['gpu'];
  return (
    optional(value['torch'], isStr) &&
    optional(value['problem'], isStr) &&
    optional(gpu, (g) => isObject(g) && isStr(g['name']) && isNum(g['memoryBytes']))
  );
}

function isEstimate(value: unknown): value is EstimateView {
  return (
    isObject(value) &&
    isStr(value['device']) &&
    (value['fits'] === null || typeof value['fits'] === 'boolean') &&
    isNum(value['totalBytes']) &&
    (value['freeBytes'] === null || isNum(value['freeBytes'])) &&
    Array.isArray(value['suggestions']) &&
    value['suggestions'].every(
      (s) => isObject(s) && isStr(s['change']) && isNum(s['totalBytes']) && typeof s['fits'] === 'boolean',
    )
  );
}

export function isNewRunHostMessage(value: unknown): value is NewRunHostMessage {
  if (!isObject(value)) return false;
  switch (value['type']) {
    case 'init':
      return (
        isStr(value['runDir']) &&
        isStrings(value['command']) &&
        Array.isArray(value['models']) &&
        value['models'].every(isModel) &&
        Array.isArray(value['datasets']) &&
        value['datasets'].every(isDataset) &&
        optional(value['blocked'], isStr)
      );
    case 'trusted':
      return isStrings(value['command']);
    case 'env':
      return isEnv(value['env']);
    case 'model':
      return isModel(value['model']);
    case 'datasets': {
      const select = value['select'];
      return (
        Array.isArray(value['datasets']) &&
        value['datasets'].every(isDataset) &&
        optional(select, (s) => isObject(s) && isStr(s['train']) && isStr(s['validation']))
      );
    }
    case 'summary':
      return isSummary(value['summary']);
    case 'estimate':
      return (
        isNum(value['seq']) && optional(value['estimate'], isEstimate) && optional(value['error'], isStr)
      );
    case 'error':
      return isStr(value['message']);
    default:
      return false;
  }
}

export function isNewRunFormMessage(value: unknown): value is NewRunFormMessage {
  if (!isObject(value)) return false;
  const keys = Object.keys(value).length;
  switch (value['type']) {
    case 'ready':
    case 'browse':
      return keys === 1;
    case 'summarize':
    case 'split':
      return keys === 2 && isStr(value['uri']);
    case 'estimate':
      return keys === 3 && isNum(value['seq']) && isObject(value['config']);
    case 'launch':
      return keys === 3 && isObject(value['config']) && typeof value['override'] === 'boolean';
    default:
      return false;
  }
}
