/** Runs a command as a child process and measures its wall time and peak resident memory. */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';

export interface Measured {
  wallMs: number;
  /** Peak resident set size of the child, in MiB (VmHWM, or /usr/bin/time's maximum RSS). */
  peakRssMiB: number;
  /**
   * User plus system CPU time, from /usr/bin/time (undefined without it): on a shared machine the wall
   * time measures the neighbours too, the CPU time much less.
   */
  cpuMs: number | undefined;
  code: number | null;
  stderr: string;
}

const TIME = '/usr/bin/time';

/** The command's own stderr, without what /usr/bin/time appends (its report, and a non-zero status). */
function ownStderr(stderr: string): string {
  const report = stderr.lastIndexOf('\tCommand being timed');
  const own = report === -1 ? stderr : stderr.slice(0, report);
  return own.replace(/Command exited with non-zero status \d+\n$/, '');
}

/** Stdout goes to /dev/null: reporting is part of the work, but the terminal is not. */
export function measure(command: string, args: string[], cwd: string): Promise<Measured> {
  const useTime = existsSync(TIME);
  const [file, argv] = useTime ? [TIME, ['-v', command, ...args]] : [command, args];
  const devnull = openSync('/dev/null', 'w');
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { cwd, stdio: ['ignore', devnull, 'pipe'] });
  closeSync(devnull);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let polledKiB = 0;
  // Without /usr/bin/time, poll the high-water mark while the process lives.
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm) polledKiB = Math.max(polledKiB, Number(hwm[1]));
        } catch {
          // the process has exited
        }
      }, 20);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const timed = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const exit = /Exit status: (\d+)/.exec(stderr);
      const kib = timed ? Number(timed[1]) : polledKiB;
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      resolve({
        wallMs,
        peakRssMiB: kib / 1024,
        cpuMs: user && system ? (Number(user[1]) + Number(system[1])) * 1000 : undefined,
        code: useTime && exit ? Number(exit[1]) : code,
        stderr: useTime ? ownStderr(stderr) : stderr,
      });
    });
  });
}
