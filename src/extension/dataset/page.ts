/**
 * The dataset view's page. No `vscode` import: the webview tests serve exactly this page (with their
 * own origin as `cspSource`), so what is tested is what ships, CSP included. Every text of the file
 * is filled in by the script (webview/dataset/), as text.
 */
import { panelHtml, type PanelPage } from '../runs/panel-html.ts';

export const datasetViewHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'Dataset',
    `
<header id="toolbar" class="toolbar">
  <div class="tools">
    <strong id="name"></strong>
    <span id="shown" class="muted" aria-live="polite">Loading…</span>
    <span class="spacer"></span>
    <vscode-button id="stats-toggle" secondary aria-expanded="false" aria-controls="stats" title="Charts of the dataset's statistics; a bar filters the rows">Statistics</vscode-button>
    <vscode-button id="open-text" secondary title="Open this file in the text editor">Open as Text</vscode-button>
  </div>
  <div class="tools">
    <vscode-textfield id="search" placeholder="Search the lines' text" aria-label="Search"></vscode-textfield>
    <vscode-single-select id="code" aria-label="Finding"></vscode-single-select>
    <vscode-single-select id="severity" aria-label="Severity"></vscode-single-select>
    <vscode-single-select id="format" aria-label="Format"></vscode-single-select>
    <label for="min-turns">turns</label>
    <vscode-textfield id="min-turns" class="narrow" placeholder="min" aria-label="At least this many turns"></vscode-textfield>
    <vscode-textfield id="max-turns" class="narrow" placeholder="max" aria-label="At most this many turns"></vscode-textfield>
    <span class="spacer"></span>
    <vscode-textfield id="goto" class="narrow" placeholder="line" aria-label="Go to line"></vscode-textfield>
  </div>
  <div id="chips" class="tools chips" aria-label="Filters from the charts" hidden></div>
  <div id="notice" class="notice" role="status" hidden></div>
</header>
<section id="stats" class="stats" aria-label="Statistics" hidden>
  <div id="stats-status" class="muted" role="status"></div>
  <div id="stats-charts" class="stats-grid"></div>
</section>
<div id="scroller" class="scroller" tabindex="0">
  <div id="window" class="window" role="list"></div>
  <div id="spacer"></div>
</div>
<div id="empty" class="empty muted" hidden>No line matches.</div>
`,
  );
