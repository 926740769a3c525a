/**
 * The one matcher for path globs (`files.include`, `files.exclude`, `split.train`, `split.validation`),
 * used by the CLI and the server alike so a glob selects the same files in both.
 *
 * Semantics are those VS Code users know from `files.exclude`: minimatch on a `/`-separated relative
 * path, dot files matched like any other, and a glob without `/` (`*.tmp`) matched against the base name
 * at any depth (minimatch's `matchBase`). Matching is case-sensitive, as `files.exclude` is on Linux;
 * the split globs ask for `ignoreCase` because `Train.jsonl` and `train.jsonl` name the same role.
 */
import { minimatch } from 'minimatch';

interface GlobOptions {
  ignoreCase?: boolean;
}

export function matchesAnyGlob(path: string, globs: readonly string[], options: GlobOptions = {}): boolean {
  return globs.some((glob) =>
    minimatch(path, glob, { dot: true, matchBase: !glob.includes('/'), nocase: options.ignoreCase === true }),
  );
}

/** Whether a directory is matched: `out/**` names it through `out/`, `**\/deep` as `deep` itself. */
export function matchesDirectory(relativeDir: string, globs: readonly string[]): boolean {
  return matchesAnyGlob(relativeDir, globs) || matchesAnyGlob(`${relativeDir}/`, globs);
}

/** Whether a file is excluded: by its own path or by a directory it lies in (as a walk skips that directory). */
export function isExcluded(relativePath: string, excludeGlobs: readonly string[]): boolean {
  if (matchesAnyGlob(relativePath, excludeGlobs)) return true;
  const parts = relativePath.split('/');
  for (let end = 1; end < parts.length; end++) {
    if (matchesDirectory(parts.slice(0, end).join('/'), excludeGlobs)) return true;
  }
  return false;
}
