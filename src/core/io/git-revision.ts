/**
 * A file as it was at a git revision: the commits that touched it (`git log`) and its content at one
 * of them (`git show REV:PATH`, streamed to a file). `tunesmith diff --rev` and the editor's "Compare
 * Dataset with Revision…" both read revisions here. git runs with an argument array, never through a
 * shell; a revision is resolved to a commit hash first, so no text the user typed reaches `git show`
 * as an option.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A problem meant for the user as is: no repository, an unknown revision, a file not in it. */
export class RevisionProblem extends Error {}

export interface Commit {
  hash: string;
  short: string;
  /** ISO 8601, the author's date. */
  date: string;
  author: string;
  subject: string;
}

/** A file's repository: its top folder and the file's path in it, with forward slashes. */
interface RepoFile {
  root: string;
  path: string;
}

/**
 * git reads no prompt, speaks English (its messages are matched below), takes no optional lock, and
 * reads a path as a path (a file named `:(glob)*` is no pathspec magic).
 */
const GIT_ENV = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_OPTIONAL_LOCKS: '0',
  GIT_LITERAL_PATHSPECS: '1',
  LC_ALL: 'C',
};

/** Runs git in `cwd`; resolves to stdout, or rejects with git's own message. */
function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new RevisionProblem('git was not found on the PATH: install git to compare revisions')
          : error,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new GitFailed(Buffer.concat(err).toString('utf8').trim() || `git exited with ${code}`));
    });
  });
}

class GitFailed extends Error {}

/** The repository `file` lies in; the file itself need not exist any more. */
export async function repoFileOf(file: string): Promise<RepoFile> {
  // git names the top folder by its real path: the file's folder must be real too to be relative to it.
  const folder = await realpath(dirname(file)).catch(() => {
    throw new RevisionProblem(`${dirname(file)} does not exist`);
  });
  let root: string;
  try {
    root = (await git(folder, ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    if (error instanceof GitFailed)
      throw new RevisionProblem(`${basename(file)} is not in a git repository (${error.message})`);
    throw error;
  }
  return {
    root,
    path: relative(root, join(folder, basename(file)))
      .split(sep)
      .join('/'),
  };
}

/** The commits that changed the file, newest first (following renames), at most `max`. */
export async function commitsOf(file: RepoFile, max = 50): Promise<Commit[]> {
  const out = await git(file.root, [
    'log',
    `--max-count=${max}`,
    '--follow',
    '--format=%H%x1f%h%x1f%aI%x1f%an%x1f%s%x1e',
    '--',
    file.path,
  ]).catch((error: unknown) => {
    // A repository with no commit yet has no history to pick from.
    if (error instanceof GitFailed && /does not have any commits/.test(error.message)) return '';
    throw error instanceof GitFailed ? new RevisionProblem(error.message) : error;
  });
  return out
    .split('\x1e')
    .map((record) => record.trim())
    .filter((record) => record !== '')
    .map((record) => {
      const [hash = '', short = '', date = '', author = '', subject = ''] = record.split('\x1f');
      return { hash, short, date, author, subject };
    });
}

/** The commit `revision` names (a hash, a branch, a tag, `HEAD~2`…), as a full hash. */
async function resolveCommit(root: string, revision: string): Promise<string> {
  // A revision that starts with "-" would be read as an option by git: no revision is spelled so.
  if (revision === '' || revision.startsWith('-') || /[\0\n]/.test(revision))
    throw new RevisionProblem(`"${revision}" is not a revision`);
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
  } catch (error) {
    if (error instanceof GitFailed)
      throw new RevisionProblem(`"${revision}" names no commit of the repository at ${root}`);
    throw error;
  }
}

/**
 * Writes the file as it was at `revision` to `out`, streamed (a dataset may be large). Resolves to the
 * commit's hash; a file that did not exist at that commit is a `RevisionProblem` saying so.
 */
export async function writeFileAtRevision(file: RepoFile, revision: string, out: string): Promise<string> {
  const commit = await resolveCommit(file.root, revision);
  // `ls-tree` first: "not at this revision" is then told apart from any other failure of `show`.
  const entry = await git(file.root, ['ls-tree', '--full-tree', commit, '--', file.path]);
  if (entry.trim() === '')
    throw new RevisionProblem(`${file.path} did not exist at ${revision} (${commit.slice(0, 7)})`);
  if (entry.split(/\s/)[1] !== 'blob')
    throw new RevisionProblem(`${file.path} was not a file at ${revision} (${commit.slice(0, 7)})`);
  const child = spawn('git', ['show', `${commit}:${file.path}`], {
    cwd: file.root,
    env: GIT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const err: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  await pipeline(child.stdout, createWriteStream(out));
  const code = await exited;
  if (code !== 0)
    throw new RevisionProblem(
      `git show ${commit.slice(0, 7)}:${file.path} failed: ${Buffer.concat(err).toString('utf8').trim()}`,
    );
  return commit;
}
