/** The status bar item: the active dataset's summary, or the server's state when it is not running. */
import * as vscode from 'vscode';
import type { DatasetSummary } from '../shared/protocol.ts';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'tunesmith.summary',
    vscode.StatusBarAlignment.Left,
    10,
  );

  constructor() {
    this.item.name = 'Tunesmith dataset summary';
  }

  show(summary: DatasetSummary | undefined): void {
    if (!summary) {
      this.item.hide();
      return;
    }
    const icon = summary.errors > 0 ? '$(error)' : summary.warnings > 0 ? '$(warning)' : '$(check)';
    const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    this.item.text = `${icon} Tunesmith: ${plural(summary.examples, 'example')} · ${summary.format} · ${plural(summary.errors, 'error')} · ${plural(summary.warnings, 'warning')}`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**Tunesmith** — ${plural(summary.examples, 'example')}, format ${summary.format}`,
        `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}`,
        summary.fromDisk
          ? '_Diagnostics come from the file on disk (too large for the editor to send)._'
          : '',
      ].join('\n\n'),
    );
    this.item.command = 'workbench.actions.view.problems';
    this.item.backgroundColor =
      summary.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  stopped(state: 'starting' | 'stopped'): void {
    this.item.text =
      state === 'starting' ? '$(sync~spin) Tunesmith' : '$(debug-disconnect) Tunesmith stopped';
    this.item.tooltip =
      state === 'starting' ? 'Starting the Tunesmith server…' : 'Click to restart the server';
    this.item.command = state === 'starting' ? undefined : 'tunesmith.restartServer';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
