/**
 * "Export" in the evaluation panel: the report as Markdown, as a self-contained HTML page, or as the
 * JSON file itself (copied as is), to where the save dialog says.
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ExportFormat } from '../../shared/evaluation-protocol.ts';
import type { EvaluationReport } from '../../shared/evaluation-report.ts';
import { reportHtml, reportMarkdown } from './export.ts';

const FORMATS: Record<ExportFormat, { extension: string; filter: string; name: string }> = {
  markdown: { extension: 'md', filter: 'Markdown', name: 'Markdown' },
  html: { extension: 'html', filter: 'HTML', name: 'HTML' },
  json: { extension: 'json', filter: 'JSON', name: 'JSON' },
};

export async function exportReport(
  path: string,
  report: EvaluationReport,
  format: ExportFormat,
): Promise<void> {
  const { extension, filter, name } = FORMATS[format];
  // Never the report's own name for JSON: the dialog's default must not be the file it copies.
  const file = format === 'json' ? `${report.id}.export.json` : `${report.id}.${extension}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(join(dirname(path), file)),
    filters: { [filter]: [extension] },
    saveLabel: `Export ${name}`,
    title: `Export evaluation ${report.id} as ${name}`,
  });
  if (!target) return;
  if (format === 'json') {
    if (target.fsPath === path) return;
    await vscode.workspace.fs.copy(vscode.Uri.file(path), target, { overwrite: true });
  } else {
    const text = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Exporting ${report.examples.length} examples as ${name}…`,
      },
      () => (format === 'markdown' ? reportMarkdown(report) : reportHtml(report)),
    );
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  }
  const open = format === 'html' ? 'Open in Browser' : 'Open';
  const choice = await vscode.window.showInformationMessage(`Exported ${basename(target.fsPath)}.`, open);
  if (choice === open) {
    if (format === 'html') await vscode.env.openExternal(target);
    else await vscode.window.showTextDocument(target);
  }
}
