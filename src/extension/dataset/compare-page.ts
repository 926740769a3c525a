/**
 * The dataset comparison panel's page. No `vscode` import, as the other pages: what a test serves is
 * what ships, CSP included. Every text is filled in by the script (webview/dataset-compare/), as text.
 */
import { panelHtml, type PanelPage } from '../runs/panel-html.ts';

export const datasetCompareHtml = (page: PanelPage): string =>
  panelHtml(
    page,
    'Dataset comparison',
    `
<main>
  <h1 id="title">Comparing…</h1>
  <div id="counts" class="counts" hidden>
    <span class="added"><strong id="count-added"></strong> added</span>
    <span class="removed"><strong id="count-removed"></strong> removed</span>
    <span class="changed"><strong id="count-changed"></strong> changed</span>
    <span class="muted"><strong id="count-unchanged"></strong> unchanged</span>
  </div>
  <section>
    <h2>Summary</h2>
    <ul id="summary" class="summary"></ul>
  </section>
  <section>
    <h2>Statistics</h2>
    <table id="drift" class="drift">
      <thead><tr><th>Statistic</th><th id="old-name">Old</th><th id="new-name">New</th><th>Change</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="added-section"><h2 id="added-title">Added</h2><ol id="added" class="examples"></ol></section>
  <section id="removed-section"><h2 id="removed-title">Removed</h2><ol id="removed" class="examples"></ol></section>
  <section id="changed-section"><h2 id="changed-title">Changed</h2><ol id="changed" class="examples"></ol></section>
</main>
`,
  );
