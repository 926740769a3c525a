/** The training environment in plain words: a one-line summary and a Markdown report. No `vscode` here. */
import { SOURCE_LABEL, SOURCE_SHORT, type Interpreter } from './choose.ts';
import type { DoctorReport } from './interpreter.ts';
import { formatBytes } from '../../shared/format.ts';

/** Without these the trainer cannot train at all; the install offer is made when one is missing. */
const REQUIRED_PACKAGES = ['torch', 'transformers', 'peft', 'trl'] as const;

type EnvironmentProblem =
  | { kind: 'no-interpreter'; message: string }
  | { kind: 'no-trainer'; message: string }
  | { kind: 'failed'; message: string };

/** What the chosen interpreter can do: the doctor's report, or why the doctor could not run. */
export interface TrainerEnvironment {
  interpreter: Interpreter;
  report?: DoctorReport;
  problem?: EnvironmentProblem;
}

const missingPackages = (report: DoctorReport): string[] =>
  REQUIRED_PACKAGES.filter((name) => !report.packages[name]);

/** Whether runs can be launched with it; when not, the install offer can fix it. */
export const ready = (env: TrainerEnvironment): boolean =>
  env.report !== undefined && missingPackages(env.report).length === 0;

/** How a failed doctor run reads: no such interpreter, no trainer package in it, or something else. */
export function classifyFailure(message: string): EnvironmentProblem {
  if (/ENOENT|EACCES|not found|No such file/.test(message)) return { kind: 'no-interpreter', message };
  if (/No module named '?tunesmith_trainer/.test(message)) return { kind: 'no-trainer', message };
  return { kind: 'failed', message };
}

const NO_GPU = 'no CUDA GPU: training runs on the CPU';

function gpuLines(report: DoctorReport): string[] {
  if (!report.cuda.available || report.cuda.gpus.length === 0) return [NO_GPU];
  return report.cuda.gpus.map(
    (gpu) =>
      `GPU ${gpu.index}: ${gpu.name}, ${formatBytes(gpu.memory_bytes)} (${formatBytes(gpu.free_bytes)} free), ` +
      `compute ${gpu.capability}${gpu.bf16 ? ', bf16' : ''}`,
  );
}

/** One line for a notification. */
export function summary(env: TrainerEnvironment): string {
  const { report, problem } = env;
  if (!report) {
    if (problem?.kind === 'no-interpreter') return `No Python interpreter at ${env.interpreter.python}.`;
    if (problem?.kind === 'no-trainer')
      return `The Tunesmith trainer is not installed for ${env.interpreter.python}.`;
    return `The training environment check failed: ${problem?.message.split('\n')[0] ?? 'no report'}`;
  }
  const missing = missingPackages(report);
  const gpus = report.cuda.gpus;
  const gpu =
    gpus.length > 0 ? gpus.map((g) => `${g.name} (${formatBytes(g.memory_bytes)})`).join(', ') : NO_GPU;
  const packages = missing.length > 0 ? `missing ${missing.join(', ')}` : `torch ${report.packages['torch']}`;
  return `Python ${report.python.version} (${SOURCE_SHORT[env.interpreter.source]}) · ${packages} · ${gpu}`;
}

/** Backticks cannot close a code span that has more of them around it. */
const code = (text: string): string => {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
};

/** The full report, as Markdown for a read-only preview. */
export function markdown(env: TrainerEnvironment): string {
  const { interpreter, report, problem } = env;
  const lines = [
    '# Tunesmith training environment',
    '',
    `**Interpreter:** ${code(interpreter.python)}, from ${SOURCE_LABEL[interpreter.source]}.`,
    '',
  ];
  if (!report) {
    lines.push('## Problem', '', summary(env), '', '```text', problem?.message ?? '', '```', '');
    lines.push(
      'Run "Tunesmith: Install the Trainer" to set up an environment, or choose another interpreter.',
    );
    return lines.join('\n') + '\n';
  }
  const body = [
    `**Python:** ${report.python.version} (${code(report.python.executable)}) on ${report.platform}`,
    '',
    '## GPUs',
    '',
    ...gpuLines(report).map((line) => `- ${line}`),
    ...(report.cuda.version ? ['', `CUDA ${report.cuda.version} (torch's build).`] : []),
    '',
    '## Packages',
    '',
    '| Package | Version |',
    '| --- | --- |',
    ...Object.entries(report.packages).map(
      ([name, version]) => `| ${name} | ${version ?? '**not installed**'} |`,
    ),
    '',
  ];
  for (const line of body) lines.push(line);
  const missing = missingPackages(report);
  const problems = [
    ...(missing.length > 0
      ? [`Missing ${missing.join(', ')}: the trainer cannot run. Use "Tunesmith: Install the Trainer".`]
      : []),
    ...report.problems,
  ];
  lines.push('## Problems', '');
  for (const line of problems.length > 0 ? problems.map((p) => `- ${p}`) : ['None.']) lines.push(line);
  lines.push('');
  return lines.join('\n');
}
