/**
 * The evaluation report as Markdown and as a self-contained HTML page (inline CSS, no script, no
 * external resource). Prompts, references and outputs are untrusted model and dataset text: in HTML
 * every text is escaped and the page's own CSP forbids scripts and remote loads besides; in Markdown
 * it goes into fenced code blocks (a fence longer than any backtick run inside) or is
 * backslash-escaped, so GitHub shows `<img src=x onerror=…>` as text. No `vscode` here.
 */
import type { EvaluationExample, EvaluationReport, SystemId } from '../../shared/evaluation-report.ts';
import {
  costlyDiff,
  flipTitle,
  formatMetric,
  generationFacts,
  intervalTitle,
  metricRows,
  promptTurns,
  scoreChange,
  sourceFacts,
  systemLabel,
  tokenShades,
  tokenTitle,
  wordDiff,
  type DiffPart,
} from '../../shared/evaluation-view.ts';

/**
 * Word diffs for one export: each may take 50 ms, all together a minute, and costly ones are not tried
 * (10,000 unrelated paragraphs would take minutes to diff, and marking every word of an unrelated
 * text says nothing). Those are shown as they are, and the export says how many.
 */
class DiffBudget {
  private readonly until = Date.now() + 60_000;
  skipped = 0;

  diff(reference: string, output: string): DiffPart[] | undefined {
    const left = Math.min(50, this.until - Date.now());
    const parts = left > 0 && !costlyDiff(reference, output) ? wordDiff(reference, output, left) : undefined;
    if (!parts) this.skipped += 1;
    return parts;
  }

  note(): string | undefined {
    return this.skipped === 0
      ? undefined
      : `${this.skipped} output(s) are shown without word marks: they share too little with their reference for a word diff to say much, or it took too long.`;
  }
}

const systemsOf = (report: EvaluationReport): SystemId[] =>
  report.systems.base ? ['base', 'tuned'] : ['tuned'];

function outcomeCounts(report: EvaluationReport): string | undefined {
  const outcomes = report.comparison?.outcomes;
  if (!outcomes) return undefined;
  return `${outcomes.improved} improved · ${outcomes.regressed} regressed · ${outcomes.unchanged} unchanged · ${outcomes.error} errors`;
}

/** "token F1 0.308 → 1.000 (+0.692)": the primary metric of one example. */
/**
 * Each example's part, 100 at a time with a turn of the event loop between: 10,000 long examples take
 * seconds to diff, and the extension host must keep answering meanwhile.
 */
async function eachExample(
  report: EvaluationReport,
  render: (example: EvaluationExample) => string,
): Promise<string[]> {
  const parts: string[] = [];
  for (let i = 0; i < report.examples.length; i += 1) {
    if (i > 0 && i % 100 === 0) await new Promise((resume) => setImmediate(resume));
    parts.push(render(report.examples[i]!));
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------- Markdown

/**
 * Inline Markdown text on one line: the characters that start emphasis, code, links, tables, HTML,
 * entities, headings, strikethrough, autolinks or GitHub's math are backslash-escaped (always valid before ASCII
 * punctuation in CommonMark); the rest stays readable in the source.
 */
export const mdText = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]|<>&~$#:@]/g, (char) => `\\${char}`)
    // GitHub links bare `www.` addresses (and `http:`, `mailto:` and `a@b.c`, which the colon and @ escapes stop).
    .replace(/(www)\./gi, '$1\\.')
    // What would start a list item or a setext heading where the text starts a line (a list item's text).
    .replace(
      /^(\s*)([-+=]|\d+[.)])/,
      (_match, space: string, start: string) => `${space}${start.slice(0, -1)}\\${start.slice(-1)}`,
    );

/** An inline code span (literal on GitHub) on one line, delimited by more backticks than any run inside. */
export function mdCode(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block that nothing in `text` can close: the fence is longer than any backtick run in it. */
export function mdBlock(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/** git's word-diff notation, inside a code block: `[-missing from the output-]{+added by it+}`. */
const mdDiff = (parts: DiffPart[]): string =>
  parts
    .map((part) =>
      part.kind === 'same' ? part.text : part.kind === 'added' ? `{+${part.text}+}` : `[-${part.text}-]`,
    )
    .join('');

function mdExample(report: EvaluationReport, example: EvaluationExample, budget: DiffBudget): string {
  const where = example.line === undefined ? '' : ` · line ${example.line}`;
  const lines = [
    `### #${example.index}${where} · ${example.outcome} · ${mdText(scoreChange(report, example))}`,
  ];
  if (example.error) lines.push('', `Error: ${mdText(example.error)}`);
  lines.push(
    '',
    '**Prompt**',
    '',
    mdBlock(
      promptTurns(example)
        .map((turn) => `${turn.role}: ${turn.content}`)
        .join('\n\n'),
    ),
  );
  lines.push('', '**Reference**', '', mdBlock(example.reference));
  for (const system of systemsOf(report)) {
    const output = example.outputs[system] ?? '';
    const parts = budget.diff(example.reference, output);
    const truncated = example.truncated?.includes(system) ? ' (stopped at max_new_tokens)' : '';
    const marked = parts ? ', against the reference: `[-missing-]{+added+}`' : '';
    lines.push(
      '',
      `**${mdText(systemLabel(report, system))}**${truncated}${marked}`,
      '',
      mdBlock(parts ? mdDiff(parts) : output),
    );
  }
  return lines.join('\n');
}

export async function reportMarkdown(report: EvaluationReport): Promise<string> {
  const out: string[] = [`# Evaluation ${mdText(report.id)}`, ''];
  for (const [label, value] of sourceFacts(report)) out.push(`- ${mdText(label)}: ${mdText(value)}`);
  if (report.comparison) out.push('', `> ${mdText(report.comparison.verdict)}`);
  const counts = outcomeCounts(report);
  if (counts) out.push('', counts);

  const hasBase = report.systems.base !== undefined;
  const base = mdText(systemLabel(report, 'base'));
  const tuned = mdText(systemLabel(report, 'tuned'));
  out.push('', '## Metrics', '');
  out.push(
    hasBase
      ? `| metric | ${base} | ${tuned} | Δ | ${intervalTitle(report) ?? 'CI'} |`
      : `| metric | ${tuned} |`,
  );
  out.push(hasBase ? '| --- | ---: | ---: | ---: | --- |' : '| --- | ---: |');
  for (const row of metricRows(report)) {
    const name = row.primary ? `**${row.label}** (primary)` : row.label;
    out.push(
      hasBase
        ? `| ${name} | ${row.base} | ${row.tuned} | ${row.delta} | ${row.interval ?? ''} |`
        : `| ${name} | ${row.tuned} |`,
    );
  }
  out.push(
    '',
    `BLEU: ${mdCode(report.metrics.signatures.bleu)}  `,
    `chrF: ${mdCode(report.metrics.signatures.chrf)}`,
  );

  for (const table of report.comparison?.flips ?? []) {
    out.push('', `### ${mdText(flipTitle(table))}: McNemar p = ${table.mcnemar_p.toPrecision(3)}`, '');
    out.push(`| | ${tuned} right | ${tuned} wrong |`, '| --- | ---: | ---: |');
    out.push(`| ${base} right | ${table.both_right} | ${table.base_only} |`);
    out.push(`| ${base} wrong | ${table.tuned_only} | ${table.both_wrong} |`);
  }
  mdClassification(report, out);
  if (report.json) {
    out.push(
      '',
      '## JSON outputs',
      '',
      `References that parse: ${formatMetric('exact', report.json.references)}`,
    );
    for (const system of systemsOf(report)) {
      const json = report.json.systems[system];
      if (json)
        out.push(
          `- ${mdText(systemLabel(report, system))}: ${formatMetric('exact', json.parses)} parse, ${formatMetric('exact', json.same_keys)} of those with the reference's keys`,
        );
    }
  }
  const generation = generationFacts(report);
  if (generation.length > 0) {
    out.push('', '## Generation', '');
    for (const [label, value] of generation) out.push(`- ${mdText(label)}: ${mdText(value)}`);
  }
  if (report.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const note of report.notes) out.push(`- ${mdText(note)}`);
  }
  if (report.problems.length > 0) {
    out.push('', '## Problems', '');
    for (const problem of report.problems)
      out.push(`- ${problem.line === undefined ? '' : `line ${problem.line}: `}${mdText(problem.message)}`);
  }
  out.push('', `## Examples (${report.examples.length})`);
  const budget = new DiffBudget();
  const examples = await eachExample(report, (example) => mdExample(report, example, budget));
  const note = budget.note();
  if (note) out.push('', mdText(note));
  for (const example of examples) out.push('', example);
  return `${out.join('\n')}\n`;
}

function mdClassification(report: EvaluationReport, out: string[]): void {
  const classification = report.classification;
  if (!classification) return;
  out.push('', '## Classification');
  for (const system of systemsOf(report)) {
    const result = classification.systems[system];
    if (!result) continue;
    const name = mdText(systemLabel(report, system));
    out.push(
      '',
      `### ${name}: accuracy ${formatMetric('exact', result.accuracy)}, macro F1 ${result.macro_f1.toFixed(3)}, micro F1 ${result.micro_f1.toFixed(3)}`,
      '',
    );
    out.push('| label | precision | recall | F1 | support |', '| --- | ---: | ---: | ---: | ---: |');
    for (const label of result.per_label)
      out.push(
        `| ${mdText(label.label)} | ${label.precision.toFixed(3)} | ${label.recall.toFixed(3)} | ${label.f1.toFixed(3)} | ${label.support} |`,
      );
    out.push('', `| reference \\\\ predicted | ${result.columns.map(mdText).join(' | ')} |`);
    out.push(`| --- | ${result.columns.map(() => '---:').join(' | ')} |`);
    result.confusion.forEach((row, i) =>
      out.push(`| ${mdText(classification.labels[i] ?? '')} | ${row.join(' | ')} |`),
    );
  }
}

// -------------------------------------------------------------------------------------------------- HTML

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const STYLE = `
:root { color-scheme: light dark; --ins: rgba(40,160,70,.25); --del: rgba(220,50,50,.22); }
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; max-width: 1400px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid rgba(128,128,128,.4); padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.primary { font-weight: 600; }
.muted { opacity: .7; font-size: .9em; }
.verdict { border-left: 4px solid rgba(128,128,128,.6); padding: 4px 12px; }
pre, .text { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; margin: 0; }
ins { background: var(--ins); text-decoration: underline; }
del { background: var(--del); text-decoration: line-through; }
.examples td { max-width: 420px; }
.turn-role { font-weight: 600; }
.improved { color: #2a8a3a; } .regressed { color: #c03030; } .error { color: #c03030; }
.s-5 { background: rgba(220,50,50,.75); } .s-4 { background: rgba(220,50,50,.6); } .s-3 { background: rgba(220,50,50,.45); }
.s-2 { background: rgba(220,50,50,.3); } .s-1 { background: rgba(220,50,50,.15); }
.s1 { background: rgba(40,160,70,.15); } .s2 { background: rgba(40,160,70,.3); } .s3 { background: rgba(40,160,70,.45); }
.s4 { background: rgba(40,160,70,.6); } .s5 { background: rgba(40,160,70,.75); }
`;

const tag = (name: string, text: string, attributes = ''): string =>
  `<${name}${attributes}>${escapeHtml(text)}</${name}>`;

function htmlDiff(parts: DiffPart[]): string {
  return parts
    .map((part) =>
      part.kind === 'same'
        ? escapeHtml(part.text)
        : part.kind === 'added'
          ? tag('ins', part.text, ' title="not in the reference"')
          : tag('del', part.text, ' title="in the reference, missing here"'),
    )
    .join('');
}

/**
 * Reference tokens shaded (a span with its values each) up to this many in one page: past it the
 * page would run to hundreds of MB, and the references are shown plain, with a note.
 */
const SHADED_TOKENS = 200_000;

function htmlReference(example: EvaluationExample, shaded: boolean): string {
  if (!example.tokens || !shaded) return tag('div', example.reference, ' class="text"');
  const tokens = tokenShades(example.tokens)
    .map((token) =>
      tag('span', token.text, ` class="s${token.shade}" title="${escapeHtml(tokenTitle(token))}"`),
    )
    .join('');
  return `<div class="text">${tokens}</div>`;
}

function htmlExample(
  report: EvaluationReport,
  example: EvaluationExample,
  budget: DiffBudget,
  shaded: boolean,
): string {
  const turns = promptTurns(example)
    .map(
      (turn) =>
        `<div>${tag('span', `${turn.role}: `, ' class="turn-role"')}${tag('span', turn.content, ' class="text"')}</div>`,
    )
    .join('');
  const first = promptTurns(example).at(-1)?.content ?? '';
  const cells = [
    `<td class="num">#${example.index}${example.line === undefined ? '' : `<div class="muted">line ${example.line}</div>`}</td>`,
    `<td><details><summary>${escapeHtml(first.slice(0, 120))}</summary>${turns}</details></td>`,
    `<td>${htmlReference(example, shaded)}</td>`,
  ];
  for (const system of systemsOf(report)) {
    const output = example.outputs[system] ?? '';
    const parts = budget.diff(example.reference, output);
    const truncated = example.truncated?.includes(system)
      ? '<div class="muted">stopped at max_new_tokens</div>'
      : '';
    cells.push(
      `<td><div class="text">${parts ? htmlDiff(parts) : escapeHtml(output)}</div>${truncated}</td>`,
    );
  }
  const error = example.error ? tag('div', example.error, ' class="error"') : '';
  cells.push(
    `<td>${tag('div', example.outcome, ` class="${example.outcome}"`)}${tag('div', scoreChange(report, example))}${error}</td>`,
  );
  return `<tr>${cells.join('')}</tr>`;
}

const factList = (facts: [string, string][]): string =>
  `<ul>${facts.map(([label, value]) => `<li>${tag('strong', label)}: ${escapeHtml(value)}</li>`).join('')}</ul>`;

export async function reportHtml(report: EvaluationReport): Promise<string> {
  const hasBase = report.systems.base !== undefined;
  const base = systemLabel(report, 'base');
  const tuned = systemLabel(report, 'tuned');
  const body: string[] = [tag('h1', `Evaluation ${report.id}`), factList(sourceFacts(report))];
  if (report.comparison) body.push(tag('p', report.comparison.verdict, ' class="verdict"'));
  const counts = outcomeCounts(report);
  if (counts) body.push(tag('p', counts));

  const head = hasBase
    ? `<tr><th>metric</th>${tag('th', base)}${tag('th', tuned)}<th>Δ</th>${tag('th', intervalTitle(report) ?? 'CI')}</tr>`
    : `<tr><th>metric</th>${tag('th', tuned)}</tr>`;
  const rows = metricRows(report).map((row) => {
    const name = `${tag('span', row.label, row.primary ? ' class="primary"' : '')}${row.primary ? ' <span class="muted">(primary)</span>' : ''}${row.signature ? tag('div', row.signature, ' class="muted"') : ''}`;
    const numbers = hasBase ? [row.base, row.tuned, row.delta, row.interval ?? ''] : [row.tuned];
    return `<tr><td>${name}</td>${numbers.map((value) => tag('td', value, ' class="num"')).join('')}</tr>`;
  });
  body.push('<h2>Metrics</h2>', `<table>${head}${rows.join('')}</table>`);

  for (const table of report.comparison?.flips ?? []) {
    body.push(tag('h3', `${flipTitle(table)}: McNemar p = ${table.mcnemar_p.toPrecision(3)}`));
    body.push(
      `<table><tr><th></th>${tag('th', `${tuned} right`)}${tag('th', `${tuned} wrong`)}</tr>` +
        `<tr>${tag('th', `${base} right`)}<td class="num">${table.both_right}</td><td class="num">${table.base_only}</td></tr>` +
        `<tr>${tag('th', `${base} wrong`)}<td class="num">${table.tuned_only}</td><td class="num">${table.both_wrong}</td></tr></table>`,
    );
  }
  htmlClassification(report, body);
  if (report.json) {
    const items: [string, string][] = [
      ['references that parse', formatMetric('exact', report.json.references)],
    ];
    for (const system of systemsOf(report)) {
      const json = report.json.systems[system];
      if (json)
        items.push([
          systemLabel(report, system),
          `${formatMetric('exact', json.parses)} parse, ${formatMetric('exact', json.same_keys)} of those with the reference's keys`,
        ]);
    }
    body.push('<h2>JSON outputs</h2>', factList(items));
  }
  const generation = generationFacts(report);
  if (generation.length > 0) body.push('<h2>Generation</h2>', factList(generation));
  if (report.notes.length > 0)
    body.push('<h2>Notes</h2>', `<ul>${report.notes.map((note) => tag('li', note)).join('')}</ul>`);
  if (report.problems.length > 0)
    body.push(
      '<h2>Problems</h2>',
      `<ul>${report.problems.map((problem) => tag('li', `${problem.line === undefined ? '' : `line ${problem.line}: `}${problem.message}`)).join('')}</ul>`,
    );

  const budget = new DiffBudget();
  let tokens = 0;
  for (const example of report.examples) tokens += example.tokens?.text.length ?? 0;
  const shaded = tokens <= SHADED_TOKENS;
  const examples = await eachExample(report, (example) => htmlExample(report, example, budget, shaded));
  const notes = [budget.note()];
  if (!shaded)
    notes.push(
      `The references are not shaded by Δlog-prob: ${tokens.toLocaleString('en-US')} tokens would make this page too large (the panel shows them).`,
    );
  const columns = [
    '#',
    'prompt',
    'reference',
    ...systemsOf(report).map((system) => systemLabel(report, system)),
    'scores',
  ];
  body.push(
    tag('h2', `Examples (${report.examples.length})`),
    tag(
      'p',
      'Outputs are marked against the reference: underlined text is not in the reference, struck-through text is in the reference and missing from the output. The reference is shaded by how much more (green) or less (red) likely the tuned model made each token than the base model; hover a token for its log-probs.',
      ' class="muted"',
    ),
  );
  for (const note of notes) if (note) body.push(tag('p', note, ' class="muted"'));
  body.push(
    `<table class="examples"><tr>${columns.map((column) => tag('th', column)).join('')}</tr>${examples.join('\n')}</table>`,
  );
  // No script, no remote resource: the policy makes sure of it even if an escape were missed.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
${tag('title', `Evaluation ${report.id}`)}
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function htmlClassification(report: EvaluationReport, body: string[]): void {
  const classification = report.classification;
  if (!classification) return;
  body.push('<h2>Classification</h2>');
  for (const system of systemsOf(report)) {
    const result = classification.systems[system];
    if (!result) continue;
    body.push(
      tag(
        'h3',
        `${systemLabel(report, system)}: accuracy ${formatMetric('exact', result.accuracy)}, macro F1 ${result.macro_f1.toFixed(3)}, micro F1 ${result.micro_f1.toFixed(3)}`,
      ),
    );
    const perLabel = result.per_label
      .map(
        (label) =>
          `<tr>${tag('td', label.label)}${[label.precision, label.recall, label.f1].map((value) => tag('td', value.toFixed(3), ' class="num"')).join('')}${tag('td', String(label.support), ' class="num"')}</tr>`,
      )
      .join('');
    body.push(
      `<table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${perLabel}</table>`,
    );
    const confusion = result.confusion
      .map(
        (row, i) =>
          `<tr>${tag('th', classification.labels[i] ?? '')}${row.map((count) => tag('td', String(count), ' class="num"')).join('')}</tr>`,
      )
      .join('');
    body.push(
      `<table><tr><th>reference ╲ predicted</th>${result.columns.map((column) => tag('th', column)).join('')}</tr>${confusion}</table>`,
    );
  }
}
