/**
 * "Open as Dataset": a custom text editor for `*.jsonl` (priority `option`, so the text editor stays
 * the default) over the file's TextDocument, so a quick fix applied from the view is an edit of that
 * document. Findings are the file's diagnostics (`vscode.languages.getDiagnostics`, what the Problems
 * panel shows); their fixes come from `vscode.executeCodeActionProvider`, the same as the light bulb.
 * A file too large for a TextDocument (over 50 MB) opens in a custom *readonly* editor instead: a
 * custom text editor cannot open on it (the extension host has no document to give it), so that view
 * reads the file itself. Both are the same session (session.ts) over their own row source (sources.ts).
 */
import * as vscode from 'vscode';
import { LARGE_FILE_BYTES } from '../../shared/protocol.ts';
import { DatasetSession, type RowSource, type SourceEvents } from './session.ts';
import { diskSource, documentSource } from './sources.ts';
import type { StatsRequester } from './stats.ts';

const DATASET_VIEW_TYPE = 'tunesmith.dataset';
export const DATASET_DISK_VIEW_TYPE = 'tunesmith.datasetFile';

export function registerDatasetView(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  stats?: StatsRequester,
): vscode.Disposable[] {
  const uriOf = (arg: unknown): vscode.Uri | undefined =>
    arg instanceof vscode.Uri ? arg : (vscode.window.activeTextEditor?.document.uri ?? activeTabUri());
  const open = (panel: vscode.WebviewPanel, uri: vscode.Uri, source: (events: SourceEvents) => RowSource) =>
    new DatasetSession(panel, source, extension.extensionUri, output, () => takeOpening(uri), stats);
  const options = { supportsMultipleEditorsPerDocument: true };
  const disk: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => {} }),
    resolveCustomEditor: ({ uri }, panel) => void open(panel, uri, (events) => diskSource(uri, events)),
  };
  return [
    vscode.window.registerCustomEditorProvider(
      DATASET_VIEW_TYPE,
      {
        resolveCustomTextEditor: (document, panel) =>
          void open(panel, document.uri, (events) => documentSource(document, events)),
      },
      options,
    ),
    vscode.window.registerCustomEditorProvider(DATASET_DISK_VIEW_TYPE, disk, options),
    vscode.commands.registerCommand('tunesmith.dataset.open', async (arg: unknown) => {
      const uri = uriOf(arg);
      if (!uri) return;
      // From the text editor: the view opens where its cursor is.
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.uri.toString() === uri.toString())
        openingAt.set(uri.toString(), editor.selection.active.line);
      const viewType = (await tooLargeForDocument(uri)) ? DATASET_DISK_VIEW_TYPE : DATASET_VIEW_TYPE;
      return vscode.commands.executeCommand('vscode.openWith', uri, viewType);
    }),
    vscode.commands.registerCommand('tunesmith.dataset.openText', (arg: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : activeTabUri();
      if (uri) return vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    }),
  ];
}

/** The line each view being opened from a text editor shows first, until its page is ready. */
const openingAt = new Map<string, number>();

function takeOpening(uri: vscode.Uri): number | undefined {
  const line = openingAt.get(uri.toString());
  openingAt.delete(uri.toString());
  return line;
}

/** Which view "Open as Dataset" opens `uri` in: the one over its TextDocument unless VS Code sends none. */
async function tooLargeForDocument(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') return false;
  const size = await vscode.workspace.fs.stat(uri).then(
    (stat) => stat.size,
    () => 0,
  );
  return size >= LARGE_FILE_BYTES;
}

/** The file of the active tab, whichever editor shows it (a custom editor has no TextEditor). */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}
