// Bundles every entry point. Node entry points become CommonJS (VS Code loads extensions with
// require); browser entry points (webview panels) become ES modules. `--watch` rebuilds on change.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    entryPoints: {
      cli: 'src/cli/main.ts',
      'lint-worker': 'src/core/lint/worker.ts',
      'semantic-worker': 'src/core/semantic/worker.ts',
      extension: 'src/extension/main.ts',
      server: 'src/server/main.ts',
    },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // jsonc-parser's UMD build requires its modules dynamically, which a bundle cannot resolve; its ESM build bundles.
    mainFields: ['module', 'main'],
    sourcemap: true,
    // Native or data-heavy packages stay outside the bundle and are required at run time.
    external: ['vscode', 'onnxruntime-node'],
    logLevel: 'warning',
    // The CLI finds its worker with import.meta.url only when run from source (tsx); bundled, it uses
    // __filename, so the empty import.meta of the CommonJS output is expected.
    logOverride: { 'empty-import-meta': 'silent' },
  },
  {
    // Webview panels: one ES module and one stylesheet each, the only files a panel may load.
    entryPoints: [
      { in: 'webview/run/main.ts', out: 'webview/run' },
      { in: 'webview/run/style.css', out: 'webview/run' },
      { in: 'webview/new-run/main.ts', out: 'webview/new-run' },
      { in: 'webview/new-run/style.css', out: 'webview/new-run' },
      { in: 'webview/compare/main.ts', out: 'webview/compare' },
      { in: 'webview/compare/style.css', out: 'webview/compare' },
      { in: 'webview/evaluation/main.ts', out: 'webview/evaluation' },
      { in: 'webview/evaluation/style.css', out: 'webview/evaluation' },
      { in: 'webview/dataset/main.ts', out: 'webview/dataset' },
      { in: 'webview/dataset/style.css', out: 'webview/dataset' },
      { in: 'webview/dataset-compare/main.ts', out: 'webview/dataset-compare' },
      { in: 'webview/dataset-compare/style.css', out: 'webview/dataset-compare' },
    ],
    outdir: 'dist',
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  },
];

// The CLI runs from the npm package, where gpt-tokenizer is installed: left out of its bundles, its
// 6 MB of encodings are no longer parsed (and kept as source) by the main thread and every worker,
// which measured 25-45 MB less memory at start-up; they are required only when tokens are counted.
// The extension's server stays self-contained (the .vsix ships no node_modules but onnxruntime's, below).
const [shared] = builds;
const cliEntries = ['cli', 'lint-worker', 'semantic-worker'];
builds.push({
  ...shared,
  entryPoints: Object.fromEntries(
    Object.entries(shared.entryPoints).filter(([name]) => cliEntries.includes(name)),
  ),
  external: [...shared.external, 'gpt-tokenizer'],
});
shared.entryPoints = Object.fromEntries(
  Object.entries(shared.entryPoints).filter(([name]) => !cliEntries.includes(name)),
);

// Entry points land on different branches at different times; build those that exist.
for (const options of builds) {
  const entries = options.entryPoints;
  options.entryPoints = Array.isArray(entries)
    ? entries.filter((entry) => existsSync(entry.in))
    : Object.fromEntries(Object.entries(entries).filter(([, path]) => existsSync(path)));
}

// onnxruntime-node (native, so external) is required by the semantic worker at run time, but the
// .vsix ships no node_modules (vsce --no-dependencies drops every node_modules path, negations
// included). Its JS, package.json and the one target's binaries, with onnxruntime-common, are copied
// into dist/node_modules, where require('onnxruntime-node') from dist/*.cjs finds them: 45 MB for
// one platform instead of the 288 MB of all of them. The target is the VSIX's (`vsce package
// --target linux-x64`): TUNESMITH_TARGET, by default the build machine's.
const target = process.env.TUNESMITH_TARGET || `${process.platform}-${process.arch}`;
function copyRuntime() {
  const [platform, arch] = target.split('-');
  const from = 'node_modules/onnxruntime-node';
  const bin = join(from, 'bin/napi-v6', platform, arch);
  if (!existsSync(bin)) throw new Error(`onnxruntime-node has no binaries for ${target} (${bin})`);
  const to = 'dist/node_modules';
  rmSync(to, { recursive: true, force: true });
  const js = (path) => !/\.(map|d\.ts)$/.test(path);
  cpSync(join(from, 'package.json'), join(to, 'onnxruntime-node/package.json'));
  cpSync(join(from, 'dist'), join(to, 'onnxruntime-node/dist'), { recursive: true, filter: js });
  cpSync(bin, join(to, 'onnxruntime-node/bin/napi-v6', platform, arch), { recursive: true });
  const common = 'node_modules/onnxruntime-common';
  cpSync(join(common, 'package.json'), join(to, 'onnxruntime-common/package.json'));
  cpSync(join(common, 'dist/cjs'), join(to, 'onnxruntime-common/dist/cjs'), { recursive: true, filter: js });
  // The "import" export (dist/esm) is not copied: the worker is CommonJS.
  if (!readdirSync(join(to, 'onnxruntime-common/dist/cjs')).includes('index.js'))
    throw new Error('onnxruntime-common has no dist/cjs/index.js');
}
copyRuntime();

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
