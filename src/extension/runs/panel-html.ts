/**
 * The run panel's page. No `vscode` import: the webview tests serve exactly this page (with their
 * own origin as `cspSource`), so what is tested is what ships, CSP included.
 */
import { randomBytes } from 'node:crypto';

export interface PanelPage {
  /** The webview's resource origin (`webview.cspSource`). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh for each page load; from `crypto`, never Math.random. */
  nonce?: string;
}

const newNonce = (): string => randomBytes(18).toString('base64');

/** Every panel's policy: nothing but our bundle's styles and fonts, and scripts with this page's nonce. */
const csp = (cspSource: string, nonce: string): string =>
  [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');

/**
 * A panel's whole page: its CSP, its one stylesheet and its one module script (with this load's
 * nonce) around the panel's own body, so every panel ships the same policy.
 */
export function panelHtml(
  { cspSource, scriptUri, styleUri, nonce = newNonce() }: PanelPage,
  title: string,
  body: string,
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>${title}</title>
</head>
<body>${body}<script type="module" nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>
`;
}

export const runPanelHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'Training run',
    `
<header>
  <h1>Run <span id="run-id"></span></h1>
  <span id="state" class="state">loading</span>
  <span id="state-detail" class="muted"></span>
</header>
<div id="device" class="muted"></div>
<progress id="progress" value="0" max="1"></progress>
<div id="progress-text" class="muted">waiting for the trainer…</div>
<dl class="stats">
  <div><dt>loss</dt><dd id="loss">–</dd></div>
  <div><dt>eval loss</dt><dd id="eval">–</dd></div>
  <div><dt>learning rate</dt><dd id="lr">–</dd></div>
  <div><dt>tokens/s</dt><dd id="tps">–</dd></div>
  <div><dt>GPU memory</dt><dd id="gpu">–</dd></div>
  <div><dt>checkpoint</dt><dd id="checkpoint">–</dd></div>
</dl>
<div class="actions">
  <button id="cancel" disabled>Cancel</button><span id="cancel-reason" class="reason"></span>
  <button id="resume" disabled>Resume</button><span id="resume-reason" class="reason"></span>
  <button id="evaluate" disabled>Evaluate</button><span id="evaluate-reason" class="reason"></span>
  <button id="open-folder">Open Output Folder</button>
</div>
<section id="evaluation" hidden>
  <h2>Evaluation</h2>
  <progress id="evaluation-progress" value="0" max="1"></progress>
  <div id="evaluation-text" class="muted"></div>
  <div id="evaluation-headline" class="headline" hidden>
    <div class="primary"><span id="evaluation-metric"></span> <span id="evaluation-change" class="change"></span></div>
    <p id="evaluation-verdict"></p>
    <div id="evaluation-outcomes" class="outcomes"></div>
  </div>
  <dl id="evaluation-summary" class="stats" hidden>
    <div><dt>examples</dt><dd id="evaluation-examples">–</dd></div>
    <div><dt>exact match, base</dt><dd id="evaluation-base">–</dd></div>
    <div><dt>exact match, tuned</dt><dd id="evaluation-tuned">–</dd></div>
  </dl>
  <div class="actions">
    <button id="open-evaluation" hidden>Open Evaluation</button>
    <button id="cancel-evaluation" hidden>Cancel Evaluation</button>
  </div>
  <div id="evaluation-output" class="muted"></div>
</section>
<div id="chart"></div>
<div id="points" class="muted"></div>
<h2>Warnings and errors</h2>
<ul id="problems"></ul>
<h2>Log</h2>
<pre id="log"></pre>
`,
  );

/** The compare panel's page: the same CSP, its own bundle. */
export const comparePanelHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'Compare runs',
    `
<h1>Loss curves</h1>
<p class="muted">Solid: train loss (smoothed). Dots and dashes: eval loss.</p>
<ul id="legend"></ul>
<div id="chart"></div>
<div id="points" class="muted"></div>
`,
  );
