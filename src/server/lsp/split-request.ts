/**
 * The split request: `tunesmith split FILE --val FRACTION` run in the server with the CLI's own code
 * (src/cli/commands/split.ts), so the editor's split and the CLI's are the same split.
 */
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { outputPaths, splitCommand } from '../../cli/commands/split.ts';
import { EXIT } from '../../cli/command.ts';
import type { SplitParams, SplitResult } from '../../shared/protocol.ts';

export async function splitDataset({ uri, fraction }: SplitParams): Promise<SplitResult> {
  if (!uri.startsWith('file:')) return { error: 'Only a dataset saved on disk can be split.' };
  const file = fileURLToPath(uri);
  let out = '';
  let err = '';
  const io = {
    stdout: (text: string) => void (out += text),
    stderr: (text: string) => void (err += text),
    cwd: dirname(file),
    stderrIsTTY: false,
  };
  const code = await splitCommand([file, '--val', String(fraction)], io).catch((error: unknown) => {
    err += error instanceof Error ? error.message : String(error);
    return EXIT.usage;
  });
  if (code !== EXIT.clean) {
    const why = err
      .trim()
      .replace(/^tunesmith split: /, '')
      .replace(/; use --force to replace$/, '');
    return { error: why ? `${why}: choose them, or delete them to split again.` : 'The split failed.' };
  }
  const paths = outputPaths(file, dirname(file));
  return {
    train: pathToFileURL(paths.train).href,
    validation: pathToFileURL(paths.validation).href,
    report: out.trim(),
  };
}
