/** The extension's entry point (bundled to dist/extension.cjs): one context owns everything it starts. */
import * as vscode from 'vscode';
import { Ctx } from './ctx.ts';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  try {
    await ctx.start();
  } catch (error) {
    // An activation failure is shown, never swallowed (rust-analyzer does the same).
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Tunesmith could not start its language server: ${message}`);
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
