/**
 * Runs inside the extension host (bundled by run.ts): the extension's features through VS Code's
 * own API, waiting on events and state, never on fixed sleeps.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const listener = vscode.languages.onDidChangeDiagnostics(() => {
        listener.dispose();
        resolve();
      });
      setTimeout(() => {
        listener.dispose();
        resolve();
      }, 250);
    });
  }
}

const codeOf = (d: vscode.Diagnostic): string =>
  typeof d.code === 'object' ? String(d.code.value) : String(d.code);

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0]!.uri;
  const uri = vscode.Uri.joinPath(folder, 'chat.jsonl');
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);

  const card = await until('the card diagnostic', () =>
    vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === 'pii/credit-card'),
  );
  assert.equal(document.getText(card.range), '4111 1111 1111 1111');

  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    uri,
    card.range.start,
  );
  const hoverText = hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
  assert.match(hoverText, /Example #3/);

  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
    'vscode.executeDocumentSymbolProvider',
    uri,
  );
  assert.equal(symbols[0]?.name, '#1 user: How do I reset my password?');

  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    card.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const fix = actions.find((a) => a.title.includes('CREDIT_CARD'));
  assert.ok(fix?.edit, 'a quick fix for the card');
  const before = document.getText();
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.equal(document.getText(), before.replace('4111 1111 1111 1111', '<CREDIT_CARD>'));
  await until(
    'the card diagnostic to go',
    () => !vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === 'pii/credit-card'),
  );
}
