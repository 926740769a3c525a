/**
 * The layers of `src/`, checked on every import (static, dynamic, `import type`, `export ... from`):
 * `src/core` (engine, rules, streaming, split) is the one engine under the CLI and the language
 * server, so it imports none of the layers above it nor an editor API; the CLI and the server are
 * adapters over it and never import each other (their shared code belongs in core); the extension
 * talks to the server over LSP and imports neither; `src/shared` (the protocol) sits on core only (the
 * settings list derives from the rule declarations, the dataset view's rows from the formats), and core
 * imports no layer at all, so the protocol cannot pull an adapter into a webview.
 * Imports are read with TypeScript's own pre-processor, so comments and strings cannot fool it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

type Layer = 'core' | 'cli' | 'server' | 'extension' | 'shared';

/** What each layer must not import: other layers, and packages (by name or prefix). */
const FORBIDDEN: Partial<Record<Layer, { layers: Layer[]; packages: RegExp }>> = {
  core: {
    layers: ['cli', 'server', 'extension', 'shared'],
    packages: /^(vscode|vscode-language(server|client))(\/|$)/,
  },
  cli: { layers: ['server', 'extension'], packages: /^(vscode|vscode-language(server|client))(\/|$)/ },
  server: { layers: ['cli', 'extension'], packages: /^vscode(\/|$)|^vscode-languageclient(\/|$)/ },
  extension: { layers: ['cli', 'server'], packages: /^$/ },
  shared: { layers: ['cli', 'server', 'extension'], packages: /^vscode(\/|$)/ },
};

function layerOf(path: string): Layer | undefined {
  const top = relative(SRC, path).split(sep)[0];
  return top === 'core' || top === 'cli' || top === 'server' || top === 'extension' || top === 'shared'
    ? top
    : undefined;
}

/** Every import specifier in a TypeScript source. */
function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/** "FILE imports SPEC (LAYER)" for each import that crosses a forbidden line. */
function violations(file: string, text: string): string[] {
  const layer = layerOf(file);
  const rule = layer && FORBIDDEN[layer];
  if (!rule) return [];
  const found: string[] = [];
  for (const spec of importsOf(text)) {
    const shown = `${relative(ROOT, file)} imports ${spec}`;
    if (spec.startsWith('.')) {
      const target = layerOf(resolve(dirname(file), spec));
      if (target && rule.layers.includes(target)) found.push(`${shown} (${layer} → ${target})`);
    } else if (rule.packages.test(spec)) found.push(`${shown} (${layer} → package ${spec})`);
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('layers: core imports nothing above it, and the CLI, the server and the extension import none of each other', () => {
  const files = sources(SRC);
  assert.ok(files.length > 100, `only ${files.length} files found under src/`);
  const found = files.flatMap((file) => violations(file, readFileSync(file, 'utf8')));
  assert.deepEqual(found, []);
});

test('layers: the check catches each kind of import that crosses a line', () => {
  const core = join(SRC, 'core/engine/example.ts');
  const bad = [
    `import { splitCommand } from '../../cli/commands/split.ts';`,
    `import type { FactsObserver } from '../../server/lsp/linted-document.ts';`,
    `export { x } from '../../extension/main.ts';`,
    `const m = await import('../../server/main.ts');`,
    `import * as vscode from 'vscode';`,
  ];
  for (const line of bad) assert.equal(violations(core, line).length, 1, line);
  assert.equal(
    violations(join(SRC, 'server/lsp/x.ts'), `import { EXIT } from '../../cli/command.ts';`).length,
    1,
  );
  assert.equal(violations(join(SRC, 'cli/x.ts'), `import { s } from '../server/lsp/server.ts';`).length, 1);
  assert.equal(violations(join(SRC, 'extension/x.ts'), `import { s } from '../cli/main.ts';`).length, 1);
  // Allowed: core inside itself and Node's modules; adapters on core and the shared protocol.
  assert.deepEqual(violations(core, `import { a } from './rule.ts';\nimport { b } from 'node:fs';`), []);
  assert.deepEqual(
    violations(join(SRC, 'server/lsp/x.ts'), `import { c } from '../../core/lint/lint-file.ts';`),
    [],
  );
  assert.deepEqual(violations(join(SRC, 'cli/x.ts'), `// import { s } from '../server/main.ts';`), []);
});
