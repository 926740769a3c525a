/** How a failed command or button reaches the user: the whole error in the log, its first line shown. */
import * as vscode from 'vscode';

export function showFailure(
  output: vscode.LogOutputChannel,
  error: unknown,
  { logPrefix = '', shownPrefix = 'Tunesmith:' }: { logPrefix?: string; shownPrefix?: string } = {},
): void {
  const message = error instanceof Error ? error.message : String(error);
  output.error(`${logPrefix}${message}`);
  void vscode.window.showErrorMessage(`${shownPrefix} ${message.split('\n')[0]}`);
}
