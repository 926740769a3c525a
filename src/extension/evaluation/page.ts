/**
 * The evaluation panel's page. No `vscode` import: the webview tests serve exactly this page (with
 * their own origin as `cspSource`), so what is tested is what ships, CSP included. Everything from
 * the report is filled in by the script (webview/evaluation/), as text.
 */
import { panelHtml, type PanelPage } from '../runs/panel-html.ts';

export const evaluationPanelHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'Evaluation',
    `
<header id="head">
  <div class="title">
    <h1>Evaluation <span id="report-id"></span></h1>
    <span id="kind" class="badge"></span>
    <span id="created" class="muted"></span>
  </div>
  <div id="status" class="muted">Loading the report…</div>
  <div id="banner" class="banner" role="alert" hidden></div>
  <p id="verdict" class="verdict" hidden></p>
  <div id="outcomes" class="chips" role="group" aria-label="Filter the examples"></div>
  <div class="summary">
    <section>
      <table id="metrics" class="metrics"></table>
      <div id="semantic" class="semantic" hidden></div>
      <ul id="notes" class="notes"></ul>
    </section>
    <section id="flips" class="flips"></section>
  </div>
  <section id="classification" hidden></section>
  <section id="json" hidden></section>
  <section id="others" hidden>
    <h2>Evaluations of this run</h2>
    <div id="others-chart"></div>
    <ul id="others-list" class="others"></ul>
  </section>
  <details id="details">
    <summary>Source, generation settings and problems</summary>
    <dl id="source" class="facts"></dl>
    <dl id="generation" class="facts"></dl>
    <ul id="problems" class="problems"></ul>
  </details>
</header>
<div id="toolbar" class="toolbar">
  <div class="tools">
    <vscode-textfield id="search" placeholder="Search prompts, references and outputs (#12 for an example)" aria-label="Search"></vscode-textfield>
    <label for="sort">Sort</label>
    <vscode-single-select id="sort" aria-label="Sort by"></vscode-single-select>
    <vscode-button id="direction" secondary title="Sort direction">↓ descending</vscode-button>
    <span id="shown" class="muted" aria-live="polite"></span>
    <span class="spacer"></span>
    <span id="legend" class="legend" hidden></span>
    <span class="muted">Export</span>
    <vscode-button id="export-markdown" secondary>Markdown</vscode-button>
    <vscode-button id="export-html" secondary>HTML</vscode-button>
    <vscode-button id="export-json" secondary>JSON</vscode-button>
  </div>
  <div id="columns" class="grid columns" role="row"></div>
</div>
<div id="rows" class="rows" role="rowgroup"></div>
<div id="empty" class="empty muted" hidden>No example matches.</div>
`,
  );
