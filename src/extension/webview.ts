/**
 * Loads one of our pages into a webview panel. The one place that sets what a panel may load:
 * scripts on, and local resources from our bundle folder (dist/webview) only.
 */
import * as vscode from 'vscode';
import type { PanelPage } from './runs/panel-html.ts';

export function loadPage(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  /** The bundle's name: dist/webview/<name>.js and <name>.css. */
  name: string,
  html: (page: PanelPage) => string,
): void {
  const bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const webview = panel.webview;
  webview.options = { enableScripts: true, localResourceRoots: [bundle] };
  webview.html = html({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${name}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, `${name}.css`)).toString(),
  });
}
