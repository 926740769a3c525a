/** The VSIX ships the trainer, so the install offer can install it from the extension's folder. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');

/** What the VSIX holds (`vsce ls`), listed once for the file's tests: each listing takes seconds. */
let listed: string[] | undefined;
function packagedFiles(): string[] {
  listed ??= execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .trim()
    .split('\n');
  return listed;
}

test('the extension package holds the trainer package and its installer, not its tests or test tools', () => {
  const listing = packagedFiles();
  // Every module of the trainer, so a new one cannot be left out by a packaging rule.
  const modules = execFileSync('git', ['ls-files', 'src/trainer/tunesmith_trainer/*.py'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  assert.ok(modules.length > 10, `git ls-files found only ${modules.length} trainer modules`);
  for (const path of [
    'src/trainer/install_trainer.py',
    'src/trainer/pyproject.toml',
    'src/trainer/requirements.lock',
    ...modules,
    'schemas/run-config.schema.json',
    'schemas/events.schema.json',
  ])
    assert.ok(listing.includes(path), `${path} is missing from the package`);
  const unwanted = listing.filter((path) =>
    /\/tests\/|egg-info|__pycache__|tunesmith_trainer\/schemas$|requirements-dev/.test(path),
  );
  assert.deepEqual(unwanted, []);
});

// The semantic worker requires onnxruntime-node at run time (esbuild leaves it out of the bundle);
// without its binding in the package the semantic rules never run in the installed extension.
// Needs `npm run build`, which copies the runtime into dist/.
test('the extension package holds onnxruntime for its target platform only', () => {
  const listing = packagedFiles();
  // The target esbuild.mjs copied for: TUNESMITH_TARGET, by default this machine.
  const target = process.env['TUNESMITH_TARGET'] || `${process.platform}-${process.arch}`;
  const bin = `dist/node_modules/onnxruntime-node/bin/napi-v6/${target.replace('-', '/')}`;
  for (const path of [
    'dist/semantic-worker.cjs',
    'dist/node_modules/onnxruntime-node/package.json',
    'dist/node_modules/onnxruntime-node/dist/index.js',
    'dist/node_modules/onnxruntime-node/dist/binding.js',
    `${bin}/onnxruntime_binding.node`,
    'dist/node_modules/onnxruntime-common/package.json',
    'dist/node_modules/onnxruntime-common/dist/cjs/index.js',
  ])
    assert.ok(listing.includes(path), `${path} is missing from the package (run npm run build)`);
  const otherPlatforms = listing.filter(
    (path) => path.includes('/bin/napi-v6/') && !path.startsWith(`${bin}/`),
  );
  assert.deepEqual(otherPlatforms, []);
});
