/**
 * No dead exports under src/ and webview/: every exported name is imported somewhere in the project
 * (src, webview, bench, scripts, test), or its file is an entry point of a bundle (esbuild.mjs) or of
 * package.json. An export that only a test imports counts as used: tests are real consumers of the
 * pure functions they exercise, and un-exporting such a function would take its test away with it.
 * Files are only parsed (no type checker), so the whole project is read in a second or two; imports
 * are matched by name on the resolved file, re-exports (`export … from`, `export *`) are followed, and
 * a namespace or dynamic import counts the names read from it (`ns.name`, destructuring), or every
 * export of the module when that cannot be seen.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const CHECKED = ['src', 'webview'];
const IMPORTERS = ['src', 'webview', 'bench', 'scripts', 'test'];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'trainer' ? [] : sources(path);
    return /\.(m?ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (`.ts` written out, or a `.js` standing for it), if it is ours. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.m?js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

interface Module {
  /** Exported names declared here (or re-exported by name), with the line of each. */
  exports: Map<string, number>;
  /** `export * from` targets. */
  star: string[];
  /** Names re-exported by name: exported name → [target file, name there]. */
  forwards: Map<string, [string, string]>;
}

interface Use {
  file: string;
  /** A name, or '*' for every export. */
  name: string;
}

const exported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    ts.isOmittedExpression(element) ? [] : bindingNames(element.name),
  );
}

/** The names a destructuring pattern reads from an object (`{ a, b: c }` reads a and b). */
function readNames(pattern: ts.BindingName): string[] | undefined {
  if (!ts.isObjectBindingPattern(pattern)) return undefined;
  const names: string[] = [];
  for (const element of pattern.elements) {
    if (element.dotDotDotToken) return undefined;
    const key = element.propertyName ?? element.name;
    if (!ts.isIdentifier(key)) return undefined;
    names.push(key.text);
  }
  return names;
}

function parse(file: string): { module: Module; uses: Use[] } {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const module: Module = { exports: new Map(), star: [], forwards: new Map() };
  const uses: Use[] = [];
  /** Namespace imports: local name → file. */
  const namespaces = new Map<string, string>();
  const line = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const declare = (name: string, node: ts.Node): void => void module.exports.set(name, line(node));

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const target = resolveSpecifier(file, statement.moduleSpecifier.text);
      const clause = statement.importClause;
      if (!target || !clause) continue;
      if (clause.name) uses.push({ file: target, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, target);
      if (bindings && ts.isNamedImports(bindings))
        for (const element of bindings.elements)
          uses.push({ file: target, name: (element.propertyName ?? element.name).text });
    } else if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier;
      const target =
        specifier && ts.isStringLiteral(specifier) ? resolveSpecifier(file, specifier.text) : undefined;
      const clause = statement.exportClause;
      if (!clause) {
        if (target) module.star.push(target);
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const local = (element.propertyName ?? element.name).text;
          declare(element.name.text, element);
          if (target) module.forwards.set(element.name.text, [target, local]);
        }
      } else if (target) {
        // `export * as ns from`: the namespace is one export of this file; using it uses all of the target.
        declare(clause.name.text, clause);
        module.forwards.set(clause.name.text, [target, '*']);
      }
    } else if (ts.isExportAssignment(statement)) {
      declare('default', statement);
    } else if (exported(statement)) {
      const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
      const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (isDefault) declare('default', statement);
      else if (ts.isVariableStatement(statement))
        for (const declaration of statement.declarationList.declarations)
          for (const name of bindingNames(declaration.name)) declare(name, declaration);
      else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node))
        declare((statement.name as ts.Identifier).text, statement);
    }
  }

  // Dynamic imports and what is read from namespaces, anywhere in the file.
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      const target = resolveSpecifier(file, node.arguments[0].text);
      if (target) {
        // `const { a, b } = await import('./x.ts')` reads a and b; anything else may read any export.
        let parent = node.parent;
        if (parent && ts.isAwaitExpression(parent)) parent = parent.parent;
        const names = parent && ts.isVariableDeclaration(parent) ? readNames(parent.name) : undefined;
        for (const name of names ?? ['*']) uses.push({ file: target, name });
      }
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const target = namespaces.get(node.expression.text);
      if (target) uses.push({ file: target, name: node.name.text });
    } else if (ts.isIdentifier(node) && namespaces.has(node.text)) {
      const parent = node.parent;
      const read = ts.isPropertyAccessExpression(parent) && parent.expression === node;
      const declaration = ts.isNamespaceImport(parent);
      // The namespace passed around whole: any of its exports may be read.
      if (!read && !declaration) uses.push({ file: namespaces.get(node.text)!, name: '*' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { module, uses };
}

/** The entry files of the bundles (esbuild.mjs) and of package.json: their exports are the API. */
function entryPoints(root: string): Set<string> {
  const read = (name: string): string =>
    existsSync(join(root, name)) ? readFileSync(join(root, name), 'utf8') : '';
  const esbuild = read('esbuild.mjs');
  const pkg = read('package.json');
  const paths = [...`${esbuild}\n${pkg}`.matchAll(/['"]((?:src|webview)\/[\w./-]+\.ts)['"]/g)].map(
    (m) => m[1]!,
  );
  return new Set(paths.map((path) => join(root, path)));
}

/** "path:line name" for every export of a file under `checked` that nothing in the project imports. */
export function unusedExports(checked: string[] = CHECKED, root = ROOT): string[] {
  const files = [...new Set([...IMPORTERS, ...checked].flatMap((dir) => sources(join(root, dir))))];
  const modules = new Map<string, Module>();
  const used = new Map<string, Set<string>>();
  const pending: Use[] = [];
  for (const file of files) {
    const { module, uses } = parse(file);
    modules.set(file, module);
    for (const use of uses) pending.push(use);
  }
  // A use of a re-exported name is a use of the original too; follow until nothing new is marked.
  while (pending.length > 0) {
    const { file, name } = pending.pop()!;
    const marked = used.get(file) ?? new Set<string>();
    used.set(file, marked);
    if (marked.has(name)) continue;
    marked.add(name);
    const module = modules.get(file);
    if (!module) continue;
    const names = name === '*' ? [...module.exports.keys()] : [name];
    for (const each of names) {
      const forward = module.forwards.get(each);
      if (forward) pending.push({ file: forward[0], name: forward[1] });
    }
    if (name === '*' || !module.exports.has(name))
      for (const target of module.star) pending.push({ file: target, name });
  }
  const entries = entryPoints(root);
  const inChecked = (file: string): boolean => checked.some((dir) => file.startsWith(join(root, dir) + '/'));
  const found: string[] = [];
  for (const [file, module] of modules) {
    if (!inChecked(file) || entries.has(file)) continue;
    const marked = used.get(file);
    for (const [name, at] of module.exports)
      if (!marked?.has(name) && !marked?.has('*')) found.push(`${relative(root, file)}:${at} ${name}`);
  }
  return found.sort();
}

test('dead exports: every export under src/ and webview/ is imported somewhere, or is an entry point', () => {
  assert.deepEqual(unusedExports(), [], 'exported but imported by nothing: delete it, or drop `export`');
});

test('dead exports: the check names an unused export and follows imports, re-exports and namespaces', () => {
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-dead-exports-'));
  const files: Record<string, string> = {
    'esbuild.mjs': "entryPoints: { cli: 'src/main.ts' }",
    'src/main.ts':
      "import { used } from './a.ts';\nimport * as b from './b.ts';\nexport const api = used + b.read;\n",
    'src/a.ts': "export const used = 1;\nexport const unused = 2;\nexport { forwarded } from './c.ts';\n",
    'src/b.ts': 'export const read = 1;\nexport const unread = 2;\n',
    'src/c.ts': 'export const forwarded = 1;\nexport interface Shape {\n  x: number;\n}\n',
    'test/t.test.ts':
      "import { forwarded } from '../src/a.ts';\nconst { later } = await import('../src/d.ts');\n",
    'src/d.ts': 'export const later = 1;\nexport function never(): void {}\n',
  };
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    assert.deepEqual(unusedExports(['src'], root), [
      'src/a.ts:2 unused',
      'src/b.ts:2 unread',
      'src/c.ts:2 Shape',
      'src/d.ts:2 never',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
