/**
 * The "New fine-tuning run" form's page. No `vscode` import: the webview tests serve exactly this
 * page (with their own origin as `cspSource`), so what is tested is what ships, CSP included. The
 * fields themselves are built by the script (webview/new-run/fields.ts), from one table.
 */
import { panelHtml, type PanelPage } from '../runs/panel-html.ts';

export const newRunHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'New fine-tuning run',
    `
<h1>New fine-tuning run</h1>
<div id="env" class="muted">Checking the Python environment…</div>
<section>
  <h2>Base model</h2>
  <div class="row"><vscode-single-select id="model" class="grow"></vscode-single-select>
  <vscode-button id="browse" secondary>Browse…</vscode-button></div>
  <div id="model-info" class="muted"></div>
  <ul id="model-problems" class="problems"></ul>
  <div class="error" data-error="model.path"></div>
</section>
<section>
  <h2>Data</h2>
  <label for="train">Train</label>
  <vscode-single-select id="train"></vscode-single-select>
  <div id="train-summary" class="summary muted"></div>
  <div class="error" data-error="data.train"></div>
  <label for="validation">Validation</label>
  <vscode-single-select id="validation"></vscode-single-select>
  <div id="validation-summary" class="summary muted"></div>
  <div id="split-row" class="row" hidden><vscode-button id="split" secondary>Split off a validation set</vscode-button>
  <span class="muted">10% of the train file, duplicates kept on one side (<code>tunesmith split --val 0.1</code>)</span></div>
  <vscode-checkbox id="override" hidden></vscode-checkbox>
  <div id="data-fields" class="fields"></div>
</section>
<section>
  <h2>Method</h2>
  <vscode-single-select id="method"></vscode-single-select>
  <div id="method-help" class="muted"></div>
  <div id="method-fields" class="fields"></div>
</section>
<section>
  <h2>Training</h2>
  <div class="row"><label for="preset">Preset</label><vscode-single-select id="preset"></vscode-single-select></div>
  <div id="preset-help" class="muted"></div>
  <div id="training-fields" class="fields"></div>
</section>
<section>
  <h2>Memory estimate</h2>
  <div id="estimate" class="muted"></div>
  <ul id="suggestions"></ul>
</section>
<section>
  <h2>What will run</h2>
  <pre id="command"></pre>
  <div id="target-note" class="muted"></div>
  <pre id="config"></pre>
</section>
<div class="actions"><vscode-button id="launch" disabled>Launch</vscode-button><span id="launch-reason" class="reason"></span></div>
<div id="message" class="error"></div>
`,
  );
