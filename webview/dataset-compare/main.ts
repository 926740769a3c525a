/**
 * The dataset comparison panel (a browser ES module, bundled to dist/webview/dataset-compare.js):
 * one report of the core's `diffDatasets`, the summary in plain words, each statistic old and new side
 * by side, and the examples added, removed and changed. Every text is dataset text: set as text only.
 */
import type { DatasetDiff, ExampleRef, Shares } from '../../src/core/diff/dataset-diff.ts';
import type { TokenDistribution } from '../../src/core/stats/stats.ts';
import {
  isCompareReportMessage,
  type CompareReportMessage,
  type ComparePageMessage,
} from '../../src/shared/dataset-compare-protocol.ts';
import { acquireHost, onHostMessage } from '../common/host.ts';

const host = acquireHost<ComparePageMessage>();
const $ = (id: string): HTMLElement => document.getElementById(id)!;

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const signed = (n: number, format: (n: number) => string) =>
  n === 0 ? '—' : `${n > 0 ? '+' : '−'}${format(Math.abs(n))}`;

/** One statistic: its name, old and new values as shown, and the change (empty when none). */
function row(name: string, old: string, neu: string, change: string): HTMLTableRowElement {
  const tr = element('tr');
  tr.append(element('th', name), element('td', old), element('td', neu), element('td', change));
  if (change !== '—' && change !== '') tr.className = 'moved';
  return tr;
}

function countRow(name: string, old: number, neu: number): HTMLTableRowElement {
  return row(name, count(old), count(neu), signed(neu - old, count));
}

function shareRows(what: (key: string) => string, record: Record<string, Shares>): HTMLTableRowElement[] {
  return Object.entries(record)
    .sort((a, b) => Math.max(b[1].old, b[1].new) - Math.max(a[1].old, a[1].new))
    .map(([key, share]) =>
      row(
        what(key),
        percent(share.old),
        percent(share.new),
        signed(Math.round((share.new - share.old) * 1000) / 10, (n) => `${n.toFixed(1)} pt`),
      ),
    );
}

const TOKEN_FIELDS = ['p50', 'p90', 'p99', 'mean', 'max'] as const;

function tokenRows(old: TokenDistribution | undefined, neu: TokenDistribution | undefined) {
  const shown = (t: TokenDistribution | undefined, value: (t: TokenDistribution) => number) =>
    t ? count(value(t)) : '—';
  const rows = TOKEN_FIELDS.map((field) =>
    row(
      `Tokens per example, ${field}`,
      shown(old, (t) => t[field]),
      shown(neu, (t) => t[field]),
      old && neu ? signed(Math.round((neu[field] - old[field]) * 10) / 10, count) : '',
    ),
  );
  const limit = (neu ?? old)?.overMax.limit;
  if (limit !== undefined)
    rows.push(
      row(
        `Over tokens.max (${count(limit)})`,
        shown(old, (t) => t.overMax.examples),
        shown(neu, (t) => t.overMax.examples),
        old && neu ? signed(neu.overMax.examples - old.overMax.examples, count) : '',
      ),
    );
  return rows;
}

function driftRows({ drift }: DatasetDiff): HTMLTableRowElement[] {
  const short = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);
  return [countRow('Examples', drift.examples.old, drift.examples.new)].concat(
    tokenRows(drift.tokens.old, drift.tokens.new),
    shareRows((format) => `Format: ${format}`, drift.formats),
    drift.labels ? shareRows((label) => `Label: ${short(label)}`, drift.labels) : [],
    drift.systemPrompts.map(({ text, old, new: neu }) =>
      row(
        `System prompt: “${short(text)}”`,
        percent(old),
        percent(neu),
        signed(Math.round((neu - old) * 1000) / 10, (n) => `${n.toFixed(1)} pt`),
      ),
    ),
    Object.entries(drift.findings).map(([family, { old, new: neu }]) =>
      countRow(`Findings: ${family}`, old, neu),
    ),
  );
}

/** An example of the current file: its line opens the text there. */
function lineButton(line: number, openable: boolean): HTMLElement {
  if (!openable) return element('span', `line ${count(line)}`, 'line');
  const button = element('button', `line ${count(line)}`, 'line link');
  button.type = 'button';
  button.title = 'Open this line in the text editor';
  button.addEventListener('click', () => host.postMessage({ type: 'openLine', line }));
  return button;
}

function examples(id: string, title: string, total: number, refs: ExampleRef[], openable: boolean): void {
  $(`${id}-title`).textContent =
    `${title} (${count(total)}${refs.length < total ? `, first ${refs.length} shown` : ''})`;
  $(`${id}-section`).hidden = total === 0;
  $(id).replaceChildren(
    ...refs.map((ref) => {
      const item = element('li');
      item.append(lineButton(ref.line, openable), element('code', ref.preview, 'preview'));
      return item;
    }),
  );
}

function show(message: CompareReportMessage): void {
  const { diff } = message;
  $('title').textContent = `${message.old} → ${message.new}`;
  $('old-name').textContent = message.old;
  $('new-name').textContent = message.new;
  const { added, removed, changed, unchanged } = diff.examples;
  $('count-added').textContent = count(added.count);
  $('count-removed').textContent = count(removed.count);
  $('count-changed').textContent = count(changed.count);
  $('count-unchanged').textContent = count(unchanged);
  $('counts').hidden = false;
  $('summary').replaceChildren(...diff.summary.map((line) => element('li', line)));
  $('drift')
    .querySelector('tbody')!
    .replaceChildren(...driftRows(diff));
  examples('added', `Added, lines of ${message.new}`, added.count, added.examples, true);
  examples('removed', `Removed, lines of ${message.old}`, removed.count, removed.examples, false);
  $('changed-title').textContent = `Changed: same prompt, another answer (${count(changed.count)})`;
  $('changed-section').hidden = changed.count === 0;
  $('changed').replaceChildren(
    ...changed.examples.map((pair) => {
      const item = element('li');
      const lines = element('div', undefined, 'pair');
      lines.append(
        element('span', `line ${count(pair.old.line)} →`, 'line'),
        lineButton(pair.new.line, true),
      );
      item.append(
        lines,
        element('code', pair.old.preview, 'preview old'),
        element('code', pair.new.preview, 'preview new'),
      );
      return item;
    }),
  );
}

onHostMessage('dataset comparison', isCompareReportMessage, show);
host.postMessage({ type: 'ready' });
