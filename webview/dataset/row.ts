/**
 * One row of the dataset view: an example as a conversation (one block per turn, tool calls
 * pretty-printed, `weight: 0` turns marked, long texts collapsed), an invalid line with its error, and
 * the line's findings on the turn they concern. Everything from the file goes in as text (textContent,
 * through `element`), never as HTML.
 */
import { FORMAT_NAMES } from '../../src/core/engine/formats.ts';
import type { DatasetRow, RowFinding, RowTurn } from '../../src/shared/dataset-protocol.ts';
import { element } from '../common/dom.ts';

/** A text longer than this (characters or lines) is collapsed until opened. */
const COLLAPSE_CHARS = 600;
const COLLAPSE_LINES = 8;
/** Tool calls and other JSON read one key a line: more lines before they are collapsed. */
const COLLAPSE_JSON_LINES = 24;

interface RowState {
  /** `${line}:${part}` of the texts opened in full. */
  expanded: ReadonlySet<string>;
  /** The quick-fix titles listed for `${line}:${finding}`. */
  fixes: ReadonlyMap<string, string[]>;
}

const isLong = (text: string, maxLines: number): boolean => {
  if (text.length > COLLAPSE_CHARS * (maxLines / COLLAPSE_LINES)) return true;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
    if (++lines > maxLines) return true;
  return false;
};

/** A block of text, collapsed when long, with the button that opens it. */
function textBlock(line: number, part: string, text: string, length: number, state: RowState, tag = 'div') {
  const key = `${line}:${part}`;
  const open = state.expanded.has(key);
  const long = isLong(text, tag === 'pre' ? COLLAPSE_JSON_LINES : COLLAPSE_LINES) || length > text.length;
  const block = element(tag, { class: long && !open ? 'text collapsed' : 'text' }, text);
  if (!long) return [block];
  const more =
    length > text.length
      ? ` (${length.toLocaleString('en-US')} characters, first ${text.length.toLocaleString('en-US')} shown)`
      : '';
  const button = element(
    'button',
    { class: 'link', 'data-action': 'toggle', 'data-key': key },
    open ? 'Show less' : `Show all${more}`,
  );
  return [block, button];
}

function findingList(row: DatasetRow, indexes: number[], state: RowState): HTMLElement {
  const list = element('ul', { class: 'findings' });
  for (const index of indexes) {
    const finding = row.findings[index]!;
    list.append(findingItem(row.line, index, finding, state));
  }
  return list;
}

function findingItem(line: number, index: number, finding: RowFinding, state: RowState): HTMLElement {
  const item = element('li', { class: `finding ${finding.severity}`, 'data-finding': String(index) });
  item.append(
    element('span', { class: 'severity' }, finding.severity),
    element(
      'button',
      {
        class: 'link code',
        'data-action': 'reveal',
        'data-character': String(finding.start),
        title: `Show line ${line + 1}, character ${finding.start + 1} in the text editor`,
      },
      finding.code,
    ),
    element('span', { class: 'message' }, finding.message),
  );
  const titles = state.fixes.get(`${line}:${index}`);
  if (titles === undefined) {
    item.append(element('button', { class: 'link fix', 'data-action': 'fixes' }, 'Quick fix…'));
  } else if (titles.length === 0) {
    item.append(element('span', { class: 'muted' }, 'no quick fix'));
  } else {
    const fixes = element('span', { class: 'fixes' });
    titles.forEach((title, fix) =>
      fixes.append(
        element('button', { class: 'apply', 'data-action': 'applyFix', 'data-fix': String(fix) }, title),
      ),
    );
    item.append(fixes);
  }
  return item;
}

function turnBlock(row: DatasetRow, turn: RowTurn, index: number, findings: number[], state: RowState) {
  const role = turn.canonical ?? 'unknown';
  const block = element('section', { class: `turn role-${role}${turn.weightZero ? ' weight-zero' : ''}` });
  const head = element('div', { class: 'turn-head' });
  head.append(element('span', { class: 'role' }, turn.canonical ?? turn.role ?? 'no role'));
  if (turn.role !== null && turn.role !== turn.canonical)
    head.append(element('span', { class: 'muted' }, `“${turn.role}”`));
  if (turn.name !== null) head.append(element('span', { class: 'name' }, turn.name));
  if (turn.weightZero)
    head.append(
      element(
        'span',
        { class: 'badge weight', title: 'weight: 0 — the trainer does not learn this turn' },
        'weight 0 · not trained',
      ),
    );
  block.append(head);
  if (turn.content !== null && (turn.content !== '' || turn.toolCalls === null))
    block.append(...textBlock(row.line, `t${index}`, turn.content, turn.length, state));
  else if (turn.toolCalls === null) block.append(element('div', { class: 'muted' }, 'no text'));
  if (turn.toolCalls !== null) {
    block.append(element('div', { class: 'label' }, 'tool calls'));
    block.append(...textBlock(row.line, `c${index}`, turn.toolCalls, turn.toolCalls.length, state, 'pre'));
  }
  if (findings.length > 0) block.append(findingList(row, findings, state));
  return block;
}

/** The row's node: built into `node` when given (its listeners are delegated, so it is reused). */
export function buildRow(
  row: DatasetRow | undefined,
  line: number,
  state: RowState,
  node?: HTMLElement,
): HTMLElement {
  const target = node ?? element('article', { role: 'listitem' });
  target.className = `row ${row?.kind ?? 'loading'}`;
  target.dataset['line'] = String(line);
  const errors = row?.findings.filter((finding) => finding.severity === 'error').length ?? 0;
  const gutter = element('div', { class: 'gutter' });
  gutter.append(
    element(
      'button',
      {
        class: 'link line-no',
        'data-action': 'reveal',
        'data-character': '0',
        title: 'Show this line in the text editor',
      },
      String(line + 1),
    ),
  );
  if (row?.kind === 'example')
    gutter.append(element('span', { class: 'badge format' }, FORMAT_NAMES[row.format]));
  if (row && row.findings.length > 0)
    gutter.append(
      element(
        'span',
        { class: `badge count ${errors > 0 ? 'error' : 'warning'}` },
        `${row.findings.length} finding${row.findings.length === 1 ? '' : 's'}`,
      ),
    );
  const body = element('div', { class: 'body' });
  if (!row) {
    body.append(element('div', { class: 'muted' }, 'Loading…'));
  } else if (row.kind === 'blank') {
    body.append(element('div', { class: 'muted' }, 'Blank line'));
    if (row.findings.length > 0)
      body.append(
        findingList(
          row,
          row.findings.map((_, i) => i),
          state,
        ),
      );
  } else if (row.kind === 'invalid') {
    body.append(element('div', { class: 'error-text' }, `Invalid line: ${row.error}`));
    body.append(...textBlock(line, 'raw', row.text, row.textLength, state, 'pre'));
    if (row.findings.length > 0)
      body.append(
        findingList(
          row,
          row.findings.map((_, i) => i),
          state,
        ),
      );
  } else {
    const byTurn = row.turns.map((): number[] => []);
    const loose: number[] = [];
    row.findings.forEach((finding, index) => {
      if (finding.turn !== null && byTurn[finding.turn]) byTurn[finding.turn]!.push(index);
      else loose.push(index);
    });
    if (loose.length > 0) body.append(findingList(row, loose, state));
    row.turns.forEach((turn, index) => body.append(turnBlock(row, turn, index, byTurn[index]!, state)));
    if (row.text !== null) {
      const block = element('section', { class: 'turn role-text' });
      block.append(element('div', { class: 'turn-head' }, ''));
      block.firstElementChild!.append(element('span', { class: 'role' }, 'text'));
      block.append(...textBlock(line, 'text', row.text, row.textLength, state));
      body.append(block);
    }
    if (row.turns.length === 0 && row.text === null)
      body.append(element('div', { class: 'muted' }, 'No turns in a format Tunesmith knows.'));
    if (row.extra !== null) {
      body.append(element('div', { class: 'label' }, 'other fields'));
      body.append(...textBlock(line, 'extra', row.extra, row.extra.length, state, 'pre'));
    }
  }
  target.replaceChildren(gutter, body);
  return target;
}
