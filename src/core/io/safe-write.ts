/**
 * The one way the CLI writes a file (`fix --out`, `fix --in-place` and its backup, `split`, baselines):
 * bytes go to a temporary file next to the target (`.NAME.tunesmith-PID.tmp`), which is flushed to disk
 * and only then renamed over the target. Killed at any moment, or out of space, the target is either as
 * it was or complete; a failed write removes its temporary file, and the temporary files of processes
 * that died (SIGKILL, power loss) are removed by the next write to the same target.
 *
 * A target that exists and is not a regular file (`/dev/null`, `/dev/full`, a FIFO) cannot be replaced
 * by a rename, and replacing a device node would be wrong anyway: it is written directly.
 */
import {
  chmodSync,
  closeSync,
  fchownSync,
  fsyncSync,
  openSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const BUFFER_BYTES = 1 << 20;

interface WriteOptions {
  /** Permission bits of the result; default: the target's when it exists, else 0o666 less the umask. */
  mode?: number;
}

/** The temporary file a process writes for `target`. */
function tempPathFor(target: string, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}.tunesmith-${pid}.tmp`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary files that dead processes left for `target`; a live writer's are kept. */
function removeStaleTemps(target: string): void {
  const prefix = `.${basename(target)}.tunesmith-`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return; // the open that follows reports the folder's problem
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(target), name));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** Makes a rename durable; some file systems refuse to fsync a folder, where the rename is still atomic. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

/**
 * A file being written: `write` as often as needed, then `commit` (durable, then visible) or `abort`
 * (nothing changes). A symbolic link as target is followed, so the link stays and its file is replaced.
 */
export class SafeFile {
  /** Where the bytes go until commit; equal to `target` when it is written directly. */
  readonly tempPath: string;
  /** The file replaced on commit (a symbolic link resolved). */
  readonly target: string;
  private readonly direct: boolean;
  private readonly mode: number | undefined;
  private fd: number | undefined;
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private buffered = 0;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(target: string, options: WriteOptions = {}) {
    const existing = statSync(target, { throwIfNoEntry: false });
    this.target = existing ? realpathSync(target) : target;
    this.direct = existing !== undefined && !existing.isFile();
    this.mode = options.mode ?? (existing?.isFile() ? existing.mode & 0o7777 : undefined);
    if (this.direct) {
      this.tempPath = this.target;
      this.fd = openSync(this.target, 'w');
      return;
    }
    removeStaleTemps(this.target);
    this.tempPath = tempPathFor(this.target);
    // 'w', not 'wx': a file of this name can only be left by an earlier process with our PID. Created
    // with at most the final mode, so a private dataset's copy is never readable by others meanwhile.
    this.fd = openSync(this.tempPath, 'w', this.mode ?? 0o666);
    if (existing?.isFile()) {
      try {
        fchownSync(this.fd, existing.uid, existing.gid); // the owner stays (when root replaces a user's file)
      } catch {
        // only root may give a file away; ours stays ours
      }
    }
  }

  write(bytes: Uint8Array): void {
    if (this.buffered + bytes.length > this.buffer.length) this.flush();
    if (bytes.length >= this.buffer.length) this.writeAll(bytes);
    else {
      this.buffer.set(bytes, this.buffered);
      this.buffered += bytes.length;
    }
  }

  /** Appends the whole content of the open file `fd`, read in chunks (the `.bak` of `fix --in-place`). */
  copyFrom(fd: number): void {
    this.flush();
    for (let position = 0; ;) {
      const read = readSync(fd, this.buffer, 0, this.buffer.length, position);
      if (read === 0) break;
      this.writeAll(this.buffer.subarray(0, read));
      position += read;
    }
  }

  /** Puts every byte written so far on disk (a full disk fails here), without replacing the target yet. */
  sync(): void {
    this.flush();
    if (this.direct) return;
    try {
      fsyncSync(this.fd!);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Flushes to disk and renames over the target. On failure nothing changed and the temp is gone. */
  commit(): void {
    if (this.state !== 'open') throw new Error(`${this.target}: already ${this.state}`);
    try {
      this.sync();
      const fd = this.fd!;
      if (!this.direct && this.mode !== undefined) chmodSync(this.tempPath, this.mode);
      this.fd = undefined;
      closeSync(fd);
      if (!this.direct) {
        renameSync(this.tempPath, this.target);
        syncFolder(dirname(this.target));
      }
      this.state = 'committed';
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Closes and removes the temporary file; never throws, and does nothing after commit. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    if (this.direct) return;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // never created, or gone
    }
  }

  private flush(): void {
    if (this.buffered === 0) return;
    const full = this.buffered;
    this.buffered = 0;
    this.writeAll(this.buffer.subarray(0, full));
  }

  private writeAll(bytes: Uint8Array): void {
    if (this.state !== 'open') throw new Error(`${this.target}: already ${this.state}`);
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(this.fd!, bytes, done);
    } catch (error) {
      this.abort();
      throw error;
    }
  }
}

/** Writes a whole file through `emit` and commits it; on any failure the target is untouched. */
export function writeFileSafely(
  target: string,
  emit: (write: (bytes: Uint8Array) => void) => void,
  options?: WriteOptions,
): void {
  const file = new SafeFile(target, options);
  try {
    emit((bytes) => file.write(bytes));
    file.commit();
  } finally {
    file.abort();
  }
}
