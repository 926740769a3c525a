/**
 * The words of the editor's inline results: a lens's title and the hover's Markdown. Model outputs,
 * references and labels are untrusted text: every character of them goes through `markdownText`, so
 * they render as text in VS Code's Markdown (marked, then its sanitizer). The hover needs two things
 * beyond plain Markdown, and only those: command links to the two evaluation commands (a
 * MarkdownString trusted for exactly those, `isTrusted: { enabledCommands }`), and coloured `<span>`s
 * for the word differences (which VS Code keeps in a trusted string without `supportHtml`; every
 * other tag is dropped). No `vscode` here: the unit tests render what this writes with marked.
 */
import type { EvaluationExample, EvaluationReport, SystemId } from '../../shared/evaluation-report.ts';
import {
  METRIC_SHORT,
  costlyDiff,
  formatMetric,
  promptLine,
  resultLine,
  systemLabel,
  type ResultReport,
  wordDiff,
  type DiffPart,
} from '../../shared/evaluation-view.ts';
import type { PlacedResult } from './inline-model.ts';

/** The commands a hover may run: all the trust its MarkdownString gets. */
export const HOVER_COMMANDS = ['tunesmith.evaluation.compareInDiff', 'tunesmith.evaluation.show'] as const;

/** The words a stale result is marked with, in the lens and the hover. */
export const STALE = 'stale: line changed since the evaluation';

/** A lens's title: the result, marked stale or moved. */
export function lensTitle(report: ResultReport, placed: PlacedResult): string {
  const result = resultLine(report, placed.example);
  if (placed.state === 'stale') return `⚠ ${STALE} · ${result}`;
  if (placed.state === 'moved') return `${result} · evaluated as line ${placed.evaluatedLine + 1}`;
  return result;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const ASCII_PUNCTUATION = /[!#$%'()*+,\-./:;=?@[\\\]^_`{|}~]/;

/**
 * Untrusted text as Markdown that renders as exactly that text: HTML's special characters as
 * entities (so no tag survives: `<img …>` stays text), every other ASCII punctuation character
 * backslash-escaped (no emphasis, code, link, list, table or autolink can start: `https\:\/\/…`), line
 * breaks as hard breaks, and every space but a single one between two words as `&nbsp;` (Markdown
 * would drop leading and trailing ones, HTML collapse runs), so spacing shows as it was. With
 * `visibleSpace` (a changed part of a diff that is only whitespace), spaces, tabs and line breaks are
 * drawn (· → ↵), as such a change is otherwise invisible. Written here rather than taken from a library:
 * MarkdownString.appendText escapes neither `<` nor `&` nor autolinks, and nothing else targets
 * VS Code's dialect. A property test renders it with marked (what VS Code renders hovers with).
 * `atStart`, `atEnd`: nothing comes before, or after, in the paragraph (a diff is several parts).
 */
export function markdownText(
  text: string,
  visibleSpace = false,
  { atStart = true, atEnd = true }: { atStart?: boolean; atEnd?: boolean } = {},
): string {
  let out = '';
  const isSpace = (char: string | undefined) => char === undefined || /[ \t\r\n]/.test(char);
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      if (visibleSpace) out += '↵';
      // A backslash break first or last in a paragraph would show as a backslash.
      const edge = (atEnd && i === text.length - 1) || (atStart && out === '');
      out += edge ? '&#10;' : '\\\n';
    } else if (char === ' ') {
      if (visibleSpace) out += '·';
      else out += isSpace(text[i - 1]) || isSpace(text[i + 1]) ? '&nbsp;' : ' ';
    } else if (char === '\t') out += visibleSpace ? '→' : '&#9;';
    // Other whitespace (no-break, ideographic, \f, \u2028…) as a character reference: marked's rules
    // test with \s, so a raw one could end a line early or cancel a hard break.
    else if (/\s/.test(char)) out += `&#${char.codePointAt(0)!};`;
    else if (ENTITIES[char]) out += ENTITIES[char];
    else if (ASCII_PUNCTUATION.test(char)) out += `\\${char}`;
    else out += char;
  }
  return out;
}

/** A command link: its arguments as URI-encoded JSON, parentheses too (they would end the link). */
function commandLink(label: string, command: (typeof HOVER_COMMANDS)[number], args: unknown): string {
  const query = encodeURIComponent(JSON.stringify([args]))
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29');
  return `[${markdownText(label)}](command:${command}?${query})`;
}

/** What the hover shows of one text at most; the diff editor shows all of it. */
export const HOVER_TEXT_CHARS = 1500;
/** How long one output's word diff may take before it is shown unmarked. */
const DIFF_TIMEOUT_MS = 50;

const REMOVED = 'background-color:var(--vscode-diffEditor-removedTextBackground);';
const ADDED = 'background-color:var(--vscode-diffEditor-insertedTextBackground);';

/** Text cut to the budget, with what was left out said in words. */
function cut(text: string, budget: number): { text: string; left: number } {
  return text.length <= budget
    ? { text, left: 0 }
    : { text: text.slice(0, budget), left: text.length - budget };
}

const more = (left: number): string =>
  left > 0 ? ` *… ${left.toLocaleString('en-US')} more characters (Compare in diff editor shows all)*` : '';

/** A text as it reads: `(empty)` said in words, and cut to the hover's budget. */
function plain(text: string): string {
  if (text === '') return '*(empty)*';
  const { text: shown, left } = cut(text, HOVER_TEXT_CHARS);
  return markdownText(shown) + more(left);
}

/**
 * Whether less than a third of the output is text it shares with the reference: then marking would
 * interleave the whole reference with the whole output ("I don't know." against a sentence), and the
 * output reads better alone.
 */
function mostlyDifferent(parts: readonly DiffPart[], output: string): boolean {
  const visible = (text: string) => text.replace(/\s+/g, '').length;
  let same = 0;
  for (const part of parts) if (part.kind === 'same') same += visible(part.text);
  return same * 3 < visible(output);
}

/** An output marked against the reference, word by word, within the hover's budget. */
function diffed(reference: string, output: string): string {
  if (output === '') return '*(empty)*';
  // Very different long texts would take long and mark everything: shown unmarked, like the panel does.
  const parts: DiffPart[] | undefined = costlyDiff(reference, output)
    ? undefined
    : wordDiff(reference, output, DIFF_TIMEOUT_MS);
  if (!parts || mostlyDifferent(parts, output)) return plain(output);
  let budget = HOVER_TEXT_CHARS;
  let out = '';
  let left = 0;
  for (const [i, part] of parts.entries()) {
    if (budget <= 0) {
      left += part.kind === 'removed' ? 0 : part.text.length;
      continue;
    }
    const { text, left: rest } = cut(part.text, budget);
    budget -= text.length;
    if (part.kind !== 'removed') left += rest;
    const edges = { atStart: out === '', atEnd: i === parts.length - 1 || budget <= 0 };
    const visible = /^\s+$/.test(text);
    if (part.kind === 'same') out += markdownText(text, false, edges);
    else
      out += `<span style="${part.kind === 'added' ? ADDED : REMOVED}">${markdownText(text, visible, edges)}</span>`;
  }
  return out + more(left);
}

function systemBlock(report: EvaluationReport, example: EvaluationExample, system: SystemId): string[] {
  const output = example.outputs[system];
  if (output === undefined) return [];
  const metric = report.primary;
  const right = example.correct[system];
  const facts = [
    right === undefined ? '' : right ? '✓' : '✗',
    `${METRIC_SHORT[metric]} ${formatMetric(metric, example.scores[system]?.[metric])}`,
  ].filter(Boolean);
  if (example.truncated?.includes(system)) facts.push('stopped at the token limit');
  return [
    `**${markdownText(systemLabel(report, system))}** ${markdownText(facts.join(' · '))}`,
    '',
    diffed(example.reference, output),
    '',
  ];
}

/** Where the report came from, in a line: "final · run tiny-1 · step 150". */
function reportLine(report: EvaluationReport): string {
  const parts = [report.id];
  if (report.run) parts.push(`run ${report.run.dir.split(/[\\/]/).at(-1) ?? report.run.dir}`);
  if (report.run?.step !== undefined) parts.push(`step ${report.run.step}`);
  parts.push(report.created);
  return parts.join(' · ');
}

/**
 * The hover of one result: the report it comes from, the result's line (stale or moved said first),
 * the prompt in a line, the reference, each system's output marked against the reference, and links
 * to the diff editor and the evaluation panel. `example` is the report's example `placed` is of.
 */
export function hoverMarkdown(
  reportPath: string,
  report: EvaluationReport,
  example: EvaluationExample,
  placed: PlacedResult,
): string {
  const lines: string[] = [`**Tunesmith evaluation** ${markdownText(reportLine(report))}`, ''];
  if (placed.state === 'stale')
    lines.push(`**⚠ ${markdownText(STALE)}**: these results are for its old text.`, '');
  if (placed.state === 'moved')
    lines.push(markdownText(`Evaluated as line ${placed.evaluatedLine + 1}; the line is here now.`), '');
  lines.push(markdownText(`#${example.index} · ${resultLine(report, example)}`), '');
  const prompt = promptLine(example);
  if (prompt) lines.push(`*Prompt* ${plain(prompt.length > 300 ? `${prompt.slice(0, 299)}…` : prompt)}`, '');
  lines.push('**Reference**', '', plain(example.reference), '');
  for (const system of ['base', 'tuned'] as const)
    for (const line of systemBlock(report, example, system)) lines.push(line);
  lines.push(
    `*Marked against the reference:* <span style="${REMOVED}">${markdownText('missing')}</span> ` +
      `<span style="${ADDED}">${markdownText('added')}</span>`,
    '',
  );
  const hasBase = example.outputs.base !== undefined;
  const diffArgs = {
    report: reportPath,
    index: example.index,
    left: hasBase ? 'base' : 'reference',
    right: 'tuned',
  };
  lines.push(
    `${commandLink('Compare in diff editor', 'tunesmith.evaluation.compareInDiff', diffArgs)} · ` +
      commandLink('Open in Evaluation panel', 'tunesmith.evaluation.show', reportPath),
  );
  return lines.join('\n');
}
