/** Expands the PATHS arguments: files are taken as given, directories yield the files the config includes. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { ResolvedConfig } from '../server/engine/config.ts';
import { minimatch } from 'minimatch';

export interface ExpandedPaths {
  files: string[];
  /** Arguments that could not be read, with the reason. */
  problems: string[];
}

/** A path as shown to the user and matched against globs: relative to cwd, with `/` separators. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  const shown = rel === '' || rel.startsWith('..') ? path : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

/** Whether a `/`-separated relative path matches any glob (minimatch, as the split globs use). */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(path, glob, { dot: true }));
}

export function expandPaths(args: readonly string[], cwd: string, config: ResolvedConfig): ExpandedPaths {
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (!seen.has(path)) {
      seen.add(path);
      files.push(path);
    }
  };
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(`${displayPath(cwd, dir)}: cannot read directory (${describeError(error)})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const shown = displayPath(cwd, path);
      if (matchesAny(shown, config.files.exclude) || matchesAny(`${shown}/`, config.files.exclude)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && matchesAny(shown, config.files.include)) add(path);
    }
  };
  for (const arg of args) {
    const path = resolve(cwd, arg);
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      problems.push(`${arg}: ${describeError(error)}`);
      continue;
    }
    // A file named explicitly is linted whatever its name: the user asked for it.
    if (stats.isDirectory()) walk(path);
    else add(path);
  }
  return { files, problems };
}

/** A short reason for a file system error, without a stack. */
export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
