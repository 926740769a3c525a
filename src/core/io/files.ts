/**
 * The dataset inputs: PATHS expanded (files as given, directories to the files the config includes),
 * streams turned into regular files, and files that are not UTF-8 text refused.
 */
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ResolvedConfig } from '../engine/config.ts';
import { SNIFF_BYTES, nonTextReason } from '../engine/reader.ts';
import { matchesAnyGlob, matchesDirectory } from './glob.ts';

interface ExpandedPaths {
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
  // Folders by identity: a link back to a parent (a loop) or a second link to one folder is walked once.
  const walked = new Set<string>();
  const walk = (dir: string, stats: Stats): void => {
    const identity = `${stats.dev}:${stats.ino}`;
    if (walked.has(identity)) return;
    walked.add(identity);
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
      if (matchesDirectory(shown, config.files.exclude)) continue;
      if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) continue; // FIFOs, sockets
      // Links are followed (a Hugging Face snapshot is a folder of links into its blob store).
      let target: Stats;
      try {
        target = statSync(path);
      } catch (error) {
        if (matchesAnyGlob(shown, config.files.include))
          problems.push(`${shown}: cannot follow the link (${describeError(error)})`);
        continue;
      }
      if (target.isDirectory()) walk(path, target);
      else if (target.isFile() && matchesAnyGlob(shown, config.files.include)) add(path);
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
    // A file named explicitly is linted whatever its name (and whatever it is: a FIFO is read too).
    if (stats.isDirectory()) walk(path, stats);
    else add(path);
  }
  return { files, problems };
}

/** A file that could not be linted, with a message meant for the user. */
export class FileProblem extends Error {}

/** A file that is not UTF-8 text (UTF-16 or UTF-32, or binary); `reason` says which. */
export class NotTextFile extends FileProblem {
  constructor(readonly reason: string) {
    super(`${reason}; skipped`);
  }
}

export function cannotRead(error: unknown): FileProblem {
  return new FileProblem(`cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
}

/** Refuses files that are clearly not UTF-8 text: UTF-16 or UTF-32, a NUL byte early on (images, archives). */
export function sniffText(source: string | number): void {
  let fd: number;
  try {
    fd = typeof source === 'number' ? source : openSync(source, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    const reason = nonTextReason(buffer.subarray(0, read));
    if (reason) throw new NotTextFile(reason);
  } catch (error) {
    if (error instanceof FileProblem) throw error;
    throw cannotRead(error);
  } finally {
    if (typeof source !== 'number') closeSync(fd);
  }
}

/** A dataset to read, as a regular file; `close` removes the copy of a stream. */
export interface InputFile {
  path: string;
  close(): void;
}

/**
 * `path` as a regular file. Every command reads its input more than once (the dataset report
 * re-reads lines by offset; stats and split make two passes), which a FIFO, `/dev/stdin` or
 * `<(zcat data.jsonl.gz)` cannot do: such a stream is first copied, streaming, to a private
 * temporary file; its head is checked on the way, so `/dev/zero` is refused, not copied until the
 * disk is full. Anything else (a missing file, a folder) is passed on for the caller to report.
 * Problems are `FileProblem`s.
 */
export async function regularInput(path: string): Promise<InputFile> {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats || stats.isFile() || stats.isDirectory()) return { path, close: () => {} };
  const folder = mkdtempSync(join(tmpdir(), 'tunesmith-input-'));
  const copy = join(folder, basename(path));
  const close = (): void => rmSync(folder, { recursive: true, force: true });
  const refuseNonText = (head: Buffer): void => {
    const reason = nonTextReason(head);
    if (reason) throw new NotTextFile(reason);
  };
  try {
    await pipeline(
      createReadStream(path),
      async function* (chunks: AsyncIterable<Buffer>) {
        let head: Buffer | undefined = Buffer.alloc(0);
        for await (const chunk of chunks) {
          if (head) {
            head = Buffer.concat([head, chunk]);
            if (head.length >= SNIFF_BYTES) {
              refuseNonText(head);
              head = undefined;
            }
          }
          yield chunk;
        }
        if (head) refuseNonText(head);
      },
      createWriteStream(copy, { mode: 0o600 }),
    );
  } catch (error) {
    close();
    if (error instanceof FileProblem) throw error;
    throw new FileProblem(`cannot read file (${describeError(error)})`);
  }
  return { path: copy, close };
}

/** Whether two paths name one file (after links: a symbolic or hard link is the same file). */
export function sameFile(a: string, b: string): boolean {
  const first = statSync(a, { throwIfNoEntry: false });
  const second = statSync(b, { throwIfNoEntry: false });
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
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
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'EPIPE':
      return 'the reading end was closed';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
