/**
 * Runs in a multi-root workspace: each folder has its own `.tunesmith/runs/`. A run belongs to the
 * folder that holds its training file; a run id is looked up in every folder. No `vscode` here.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { RUN_ID } from '../../shared/webview-protocol.ts';
import { RUNS_DIR, runFiles } from './run.ts';

/** The folders among `roots` that hold `path`, innermost first (workspace folders may nest). */
export function foldersHolding(path: string, roots: readonly string[]): string[] {
  const inside = (root: string) => {
    const rel = relative(root, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  return roots.filter(inside).sort((a, b) => b.length - a.length);
}

/**
 * Where a run with this training file goes: the one folder that holds it, or the folders to ask
 * between (nested folders both hold it; a file outside the workspace could go to any of them).
 */
export function runFolder(
  trainPath: string,
  roots: readonly string[],
): { folder: string } | { ask: string[] } {
  if (roots.length === 1) return { folder: roots[0]! };
  const holding = foldersHolding(trainPath, roots);
  if (holding.length === 1) return { folder: holding[0]! };
  return { ask: holding.length > 1 ? holding : [...roots] };
}

/** The directory of run `id` in the first folder that has it, or undefined. */
export async function findRunDir(id: string, roots: readonly string[]): Promise<string | undefined> {
  if (!RUN_ID.test(id)) return undefined;
  for (const root of roots) {
    const dir = join(root, RUNS_DIR, id);
    if (
      await stat(runFiles(dir).config).then(
        () => true,
        () => false,
      )
    )
      return dir;
  }
  return undefined;
}
