/**
 * The in-host suite in a desktop VS Code (`npm run test:desktop`). @vscode/test-electron downloads
 * VS Code from Microsoft's update server, so this runs only on machines that can reach it; the
 * default `npm test` uses the code-server e2e suite instead (test/e2e).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';

const root = resolve(import.meta.dirname, '../..');
execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
const suite = join(root, '.cache/desktop/suite.cjs');
await esbuild.build({
  entryPoints: [join(root, 'test/desktop/suite.ts')],
  outfile: suite,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['vscode'],
  logLevel: 'warning',
});
const workspace = join(mkdtempSync(join(tmpdir(), 'tunesmith-desktop-')), 'demo');
cpSync(join(root, 'demo'), workspace, { recursive: true });
await runTests({
  extensionDevelopmentPath: root,
  extensionTestsPath: suite,
  launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
});
