/** Workspace-relative path matching for the `files.include` / `files.exclude` globs (minimatch, as the split rules use). */
import { minimatch } from 'minimatch';

export class GlobSet {
  constructor(private readonly globs: readonly string[]) {}

  /** A glob without `/` (VS Code's `files.exclude` style, e.g. `*.tmp`) matches a base name anywhere. */
  matches(relativePath: string): boolean {
    return this.globs.some((glob) =>
      minimatch(relativePath, glob, { dot: true, matchBase: !glob.includes('/') }),
    );
  }
}
