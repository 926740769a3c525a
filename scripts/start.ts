/** Starts the editor on the repository's demo/ folder and keeps it running (see scripts/start.sh). */
import { join } from 'node:path';
import { ROOT, startEditor } from '../test/e2e/harness.ts';

const port = Number(process.env['PORT'] ?? 8080);
const editor = await startEditor({ workspace: join(ROOT, 'demo'), port });
process.stdout.write(
  `\nTunesmith demo is running. Open ${editor.url}\n(server log: ${editor.logFile}; Ctrl+C stops it)\n`,
);
const stop = (): void => {
  editor.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
