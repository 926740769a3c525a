/**
 * The "New fine-tuning run" form (a browser ES module, bundled to dist/webview/new-run.js). Every
 * field is validated as it is typed with the trainer's own schema (compiled ahead of time: the CSP
 * blocks ajv's runtime compile). Names of files, models and datasets reach the page as text only.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  isNewRunHostMessage,
  type DatasetFile,
  type DatasetSummaryView,
  type EnvInfo,
  type ModelInfo,
  type NewRunFormMessage,
  type NewRunHostMessage,
} from '../../src/shared/new-run-protocol.ts';
import { validateRunConfig, type FieldError } from '../../src/shared/run-config.ts';
import { FIELDS, METHODS, PRESETS, parseField, setPath, type Field, type Method } from './fields.ts';
import { defaultPair, fileName } from './datasets.ts';
import { formatBytes } from '../../src/shared/format.ts';
import { acquireHost, onHostMessage } from '../common/host.ts';
import { $, element, renderEstimate, setOptions, type Control } from './view.ts';

const vscode = acquireHost<NewRunFormMessage>();
const ESTIMATE_DELAY_MS = 600;
const NO_ESTIMATE_YET = 'Fill in the form to see whether the run fits.';

const state = {
  runDir: '',
  command: [] as string[],
  blocked: undefined as string | undefined,
  env: undefined as EnvInfo | undefined,
  models: [] as ModelInfo[],
  datasets: [] as DatasetFile[],
  model: '',
  train: '',
  validation: '',
  method: 'lora' as Method,
  summaries: new Map<string, DatasetSummaryView | { uri: string; error: string }>(),
  values: new Map<string, string | boolean>(FIELDS.map((field) => [field.path, field.value])),
  estimateSeq: 0,
  estimateTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  lastEstimated: '',
  launching: false,
};

function buildFields(): void {
  for (const field of FIELDS) {
    const row = element('div', { class: 'field', 'data-field': field.path });
    const id = `f-${field.path}`;
    let control: Control;
    if (field.kind === 'bool') {
      control = element('vscode-checkbox', { id }, field.label);
      control.checked = field.value === true;
      control.addEventListener('change', () => update(field, control.checked));
    } else {
      row.append(element('label', { for: id }, field.label));
      if (field.kind === 'enum') {
        control = element('vscode-single-select', { id });
        setOptions(
          control,
          (field.options ?? []).map((value) => ({ value, label: value })),
          String(field.value),
        );
      } else {
        control = element('vscode-textfield', { id, value: String(field.value) });
      }
      for (const event of ['input', 'change'])
        control.addEventListener(event, () => update(field, control.value));
    }
    row.append(control);
    if (field.help) row.append(element('div', { class: 'help muted' }, field.help));
    row.append(element('div', { class: 'error', 'data-error': field.path }));
    $(`${field.group}-fields`).append(row);
  }
}

function update(field: Field, value: string | boolean): void {
  state.values.set(field.path, value);
  render();
}

function applyPreset(id: string): void {
  const preset = PRESETS.find((candidate) => candidate.id === id);
  if (!preset) return;
  for (const [path, value] of Object.entries(preset.values)) {
    state.values.set(path, value);
    const control = $(`f-${path}`);
    if (control) control.value = value;
  }
  $('preset-help').textContent = preset.help;
  render();
}

function visible(field: Field): boolean {
  return !field.methods || field.methods.includes(state.method);
}

/** The run a launch creates: the training file's folder's, else the default. */
function target(): { dir: string; command: string[] } {
  const file = state.datasets.find((candidate) => candidate.uri === state.train);
  return file?.run ?? { dir: state.runDir, command: state.command };
}

/** The config a launch writes, from what the form holds now. */
function currentConfig(): Record<string, unknown> {
  const config: Record<string, unknown> = {
    model: { path: state.model },
    data: {
      train: pathOf(state.train),
      ...(state.validation ? { validation: pathOf(state.validation) } : {}),
    },
    method: { type: state.method },
    training: {},
    output: { dir: target().dir },
  };
  for (const field of FIELDS) {
    if (!visible(field)) continue;
    const value = parseField(field, state.values.get(field.path) ?? '');
    if (value !== undefined) setPath(config, field.path, value);
  }
  return config;
}

const pathOf = (uri: string): string => state.datasets.find((file) => file.uri === uri)?.path ?? '';

function renderEnv(): void {
  const env = state.env;
  const line = $('env');
  if (!env) {
    // doctor runs Python, which an untrusted workspace does not allow.
    line.textContent = state.blocked
      ? 'The Python environment is checked once the workspace is trusted.'
      : 'Checking the Python environment…';
    return;
  }
  line.classList.toggle('error', env.problem !== undefined);
  if (env.problem) {
    line.textContent = `Python ${env.python}: ${env.problem}`;
    return;
  }
  const device = env.gpu
    ? `GPU ${env.gpu.name} (${formatBytes(env.gpu.memoryBytes)})`
    : 'no CUDA GPU — runs on the CPU';
  line.textContent = `Python ${env.python} · torch ${env.torch ?? 'not installed'} · ${device}`;
}

function renderModel(): void {
  const model = state.models.find((candidate) => candidate.path === state.model);
  const info = $('model-info');
  const problems = $('model-problems');
  problems.replaceChildren(...(model?.problems ?? []).map((problem) => element('li', {}, problem)));
  if (!model) {
    info.textContent = state.models.length === 0 ? 'No model folder in this workspace: use Browse….' : '';
    return;
  }
  const parts = [
    model.architecture,
    model.parameters === undefined ? undefined : `${model.parameters.toLocaleString('en-US')} parameters`,
    model.layers === undefined ? undefined : `${model.layers} layers`,
    model.hiddenSize === undefined ? undefined : `hidden size ${model.hiddenSize}`,
    model.contextLength === undefined ? undefined : `context ${model.contextLength.toLocaleString('en-US')}`,
    `${formatBytes(model.sizeBytes)} on disk`,
  ];
  info.textContent = parts.filter(Boolean).join(' · ');
}

function summaryText(uri: string): string {
  if (!uri) return '';
  const summary = state.summaries.get(uri);
  if (!summary) return 'Linting…';
  if ('error' in summary) return summary.error;
  return `${summary.examples.toLocaleString('en-US')} examples · ${summary.format} · ${summary.errors} errors · ${summary.warnings} warnings`;
}

function renderData(): void {
  for (const role of ['train', 'validation'] as const) {
    const uri = state[role];
    const summary = state.summaries.get(uri);
    const line = $(`${role}-summary`);
    line.textContent = summaryText(uri);
    line.classList.toggle('error', !!summary && ('error' in summary || summary.errors > 0));
  }
  $('split-row').hidden = !state.train || state.validation !== '';
  const withErrors = dataErrors();
  const override = $('override');
  override.hidden = withErrors.length === 0;
  override.textContent = `Launch anyway with ${withErrors.map(([name, n]) => `${n} errors in ${name}`).join(' and ')}`;
}

/** The first error of the chosen datasets, as `train.jsonl:3: message (code)`: why the form will not launch. */
function firstError(): string | undefined {
  for (const uri of [state.train, state.validation]) {
    const summary = uri ? state.summaries.get(uri) : undefined;
    const first = summary && !('error' in summary) ? summary.firstError : undefined;
    if (first) return `${fileName(uri)}:${first.line}: ${first.message} (${first.code})`;
  }
  return undefined;
}

/** [file name, error count] of each chosen dataset with errors. */
function dataErrors(): [string, number][] {
  return [state.train, state.validation].flatMap((uri): [string, number][] => {
    const summary = uri ? state.summaries.get(uri) : undefined;
    return summary && !('error' in summary) && summary.errors > 0 ? [[fileName(uri), summary.errors]] : [];
  });
}

function renderErrors(errors: FieldError[]): void {
  for (const node of document.querySelectorAll('[data-error]')) node.textContent = '';
  for (const { field, message } of errors) {
    const target = document.querySelector(`[data-error="${CSS.escape(field)}"]`);
    if (target) target.textContent = message;
  }
}

function launchBlockedBy(errors: FieldError[]): string | undefined {
  const model = state.models.find((candidate) => candidate.path === state.model);
  if (state.blocked) return state.blocked;
  if (!state.env) return 'Checking the Python environment…';
  if (state.env.problem) return 'The trainer cannot run with this Python interpreter (see above).';
  if (state.method === 'qlora' && !state.env.gpu) return 'QLoRA needs a CUDA GPU, and there is none.';
  if (!model) return 'Choose a base model.';
  if (model.problems.length > 0) return 'The base model folder is incomplete (see above).';
  if (errors.length > 0)
    return `Fix the ${errors.length === 1 ? 'field' : `${errors.length} fields`} marked in red.`;
  for (const uri of [state.train, state.validation].filter(Boolean)) {
    const summary = state.summaries.get(uri);
    if (!summary) return `Waiting for the lint summary of ${fileName(uri)}…`;
    if ('error' in summary) return summary.error;
  }
  const withErrors = dataErrors();
  if (withErrors.length > 0 && !$('override').checked) {
    const first = firstError();
    return `${withErrors.map(([name]) => name).join(' and ')} has errors${first ? ` (${first})` : ''}: fix them, or tick "Launch anyway".`;
  }
  return undefined;
}

function scheduleEstimate(config: Record<string, unknown>, errors: FieldError[]): void {
  // Cleared first: a change undone before the delay (back to the estimated config) must not let the
  // pending estimate of the undone change arrive and describe a config the form no longer holds.
  clearTimeout(state.estimateTimer);
  const key = JSON.stringify(config);
  if (key === state.lastEstimated) return;
  if (state.blocked || !state.env || state.env.problem || errors.length > 0 || !state.model) return;
  state.estimateTimer = setTimeout(() => {
    state.lastEstimated = key;
    state.estimateSeq += 1;
    $('estimate').textContent = 'Estimating…';
    vscode.postMessage({ type: 'estimate', seq: state.estimateSeq, config });
  }, ESTIMATE_DELAY_MS);
}

function render(): void {
  for (const row of document.querySelectorAll<HTMLElement>('[data-field]')) {
    const field = FIELDS.find((candidate) => candidate.path === row.dataset['field']);
    row.hidden = !!field && !visible(field);
  }
  $('method-help').textContent = METHODS.find((method) => method.id === state.method)?.help ?? '';
  renderModel();
  renderData();
  const config = currentConfig();
  const errors = validateRunConfig(config);
  renderErrors(errors);
  $('command').textContent = target()
    .command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`))
    .join(' ');
  $('config').textContent = JSON.stringify(config, null, 2);
  const chosen = state.datasets.find((candidate) => candidate.uri === state.train);
  $('target-note').textContent =
    chosen && !chosen.run
      ? 'The training file is in more than one workspace folder, or in none: Launch asks which folder gets the run. The paths above are those of the first folder.'
      : '';
  const blocked = state.launching ? 'Launching…' : launchBlockedBy(errors);
  $('launch').disabled = blocked !== undefined;
  $('launch-reason').textContent = blocked ?? '';
  scheduleEstimate(config, errors);
}

function summarize(uri: string): void {
  if (uri && !state.summaries.has(uri)) vscode.postMessage({ type: 'summarize', uri });
}

function setDatasets(datasets: DatasetFile[]): void {
  state.datasets = datasets;
  const options = datasets.map((file) => ({ value: file.uri, label: file.label }));
  setOptions($('train'), [{ value: '', label: 'Choose the training file…' }, ...options], state.train);
  setOptions($('validation'), [{ value: '', label: 'None' }, ...options], state.validation);
}

function setModels(): void {
  const options = state.models.map((model) => ({ value: model.path, label: model.path }));
  setOptions($('model'), [{ value: '', label: 'Choose a model folder…' }, ...options], state.model);
}

function setMethods(): void {
  const noGpu = state.env !== undefined && !state.env.gpu;
  setOptions(
    $('method'),
    METHODS.map((method) => ({
      value: method.id,
      label: method.id === 'qlora' && noGpu ? `${method.label} (needs a CUDA GPU)` : method.label,
      disabled: method.id === 'qlora' && noGpu,
    })),
    state.method,
  );
}

function receive(message: NewRunHostMessage): void {
  switch (message.type) {
    case 'init': {
      Object.assign(state, { runDir: message.runDir, command: message.command, blocked: message.blocked });
      // The estimate runs the trainer, so it waits for trust like the environment check.
      if (state.blocked)
        $('estimate').textContent = 'The memory estimate runs once the workspace is trusted.';
      state.models = message.models;
      const usable = message.models.find((model) => model.problems.length === 0);
      state.model = usable?.path ?? '';
      const pair = defaultPair(message.datasets);
      Object.assign(state, pair);
      renderEnv();
      setModels();
      setDatasets(message.datasets);
      const tiny = (usable?.parameters ?? Infinity) < 10_000_000;
      setOptions(
        $('preset'),
        PRESETS.map((preset) => ({ value: preset.id, label: preset.label })),
        tiny ? 'tiny' : 'standard',
      );
      applyPreset(tiny ? 'tiny' : 'standard');
      summarize(state.train);
      summarize(state.validation);
      break;
    }
    case 'trusted':
      // Only what trust changes: what the user filled in stays; the host sends `env` next.
      state.blocked = undefined;
      state.command = message.command;
      $('estimate').textContent = NO_ESTIMATE_YET;
      renderEnv();
      break;
    case 'env':
      state.env = message.env;
      renderEnv();
      setMethods();
      break;
    case 'model':
      state.models = [...state.models.filter((model) => model.path !== message.model.path), message.model];
      state.model = message.model.path;
      setModels();
      break;
    case 'datasets':
      if (message.select) Object.assign(state, message.select);
      setDatasets(message.datasets);
      summarize(state.train);
      summarize(state.validation);
      break;
    case 'summary':
      state.summaries.set(message.summary.uri, message.summary);
      break;
    case 'estimate':
      if (message.seq !== state.estimateSeq) return; // a newer estimate is on its way
      if (message.estimate) renderEstimate(message.estimate);
      else {
        $('estimate').textContent = `No estimate: ${message.error ?? 'the trainer gave none'}`;
        $('estimate').className = 'error';
        $('suggestions').replaceChildren();
      }
      return;
    case 'error':
      state.launching = false;
      $('message').textContent = message.message;
      break;
  }
  render();
}

function wire(): void {
  const select = (id: 'model' | 'train' | 'validation', after?: () => void) =>
    $(id).addEventListener('change', () => {
      state[id] = $(id).value;
      after?.();
      render();
    });
  select('model');
  select('train', () => summarize(state.train));
  select('validation', () => summarize(state.validation));
  $('method').addEventListener('change', () => {
    state.method = $('method').value as Method;
    render();
  });
  $('preset').addEventListener('change', () => applyPreset($('preset').value));
  $('override').addEventListener('change', () => render());
  $('browse').addEventListener('click', () => vscode.postMessage({ type: 'browse' }));
  $('split').addEventListener('click', () => {
    if (state.train) vscode.postMessage({ type: 'split', uri: state.train });
  });
  $('launch').addEventListener('click', () => {
    if ($('launch').disabled) return;
    $('message').textContent = '';
    state.launching = true;
    vscode.postMessage({ type: 'launch', config: currentConfig(), override: $('override').checked });
    render();
  });
  onHostMessage('new-run form', isNewRunHostMessage, receive);
}

buildFields();
setMethods();
wire();
$('estimate').textContent = NO_ESTIMATE_YET;
render();
vscode.postMessage({ type: 'ready' });
