/**
 * One line of a dataset as the dataset view shows it: its example read with the core's format
 * detection (`toExample`, the one reader of the five formats), its turns with their tool calls
 * pretty-printed, and its findings placed on the turn whose text they cover. No `vscode`: the editor
 * provider hands in each line's text and diagnostics, and the unit tests do the same.
 */
import { answerTurn, systemTurn, toExample, type FormatId } from '../../core/engine/formats.ts';
import { JsonLine } from '../../core/engine/json-line.ts';
import {
  MAX_TEXT_CHARS,
  type DatasetFilter,
  type DatasetRow,
  type FindingSeverity,
  type RowFinding,
  type RowTurn,
} from '../../shared/dataset-protocol.ts';

/** A diagnostic of the document, reduced to what the view needs (vscode.Diagnostic is 0-based too). */
export interface FindingInput {
  code: string;
  severity: FindingSeverity;
  message: string;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

const cut = (text: string): string => (text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON pretty-printed, with a string `arguments` (as OpenAI writes them) parsed when it is JSON. */
function prettyToolCalls(calls: unknown): string {
  const readable = (call: unknown): unknown => {
    if (!isRecord(call)) return call;
    const fn = call['function'];
    const target = isRecord(fn) ? fn : call;
    const args = target['arguments'];
    if (typeof args !== 'string') return call;
    try {
      const parsed: unknown = JSON.parse(args);
      return isRecord(fn)
        ? { ...call, function: { ...fn, arguments: parsed } }
        : { ...call, arguments: parsed };
    } catch {
      return call;
    }
  };
  const value = Array.isArray(calls) ? calls.map(readable) : readable(calls);
  return cut(JSON.stringify(value, null, 2));
}

/** The raw object of each turn, in the order `toExample` lists them (its `path` names it). */
function rawAt(value: unknown, path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isRecord(node) && typeof key === 'string') node = node[key];
    else return undefined;
  }
  return node;
}

/** The top-level fields that are not the turns themselves: `tools`, `id`, a label… */
const TURN_FIELDS = new Set([
  'messages',
  'conversations',
  'system',
  'instruction',
  'input',
  'output',
  'prompt',
  'completion',
  'text',
]);

function extraFields(value: Record<string, unknown>): string | null {
  const extra: Record<string, unknown> = {};
  let any = false;
  for (const [key, item] of Object.entries(value)) {
    if (TURN_FIELDS.has(key)) continue;
    extra[key] = item;
    any = true;
  }
  return any ? cut(JSON.stringify(extra, null, 2)) : null;
}

/** The part of each finding's range that lies on `line`, as character offsets in its text. */
function findingsOn(line: number, text: string, findings: readonly FindingInput[]): RowFinding[] {
  return findings.map((finding) => {
    const start = finding.startLine < line ? 0 : Math.min(finding.startCharacter, text.length);
    const end = finding.endLine > line ? text.length : Math.min(finding.endCharacter, text.length);
    return {
      code: finding.code,
      severity: finding.severity,
      message: finding.message,
      start,
      end: Math.max(start, end),
      turn: null,
    };
  });
}

/** Builds the row of 0-based `line` from its text and the diagnostics whose range touches it. */
export function buildRow(line: number, text: string, diagnostics: readonly FindingInput[] = []): DatasetRow {
  const findings = findingsOn(line, text, diagnostics);
  if (text.trim() === '') return { kind: 'blank', line, findings };
  const json = new JsonLine(text);
  const example = json.ok ? toExample(json.value) : undefined;
  if (!json.ok || !example || !isRecord(json.value)) {
    const error = json.error
      ? `${json.error.message} (at character ${json.error.offset + 1})`
      : 'The line is JSON but not an object: an example is a JSON object.';
    return { kind: 'invalid', line, error, text: cut(text), textLength: text.length, findings };
  }
  const value = json.value;
  const turns = example.turns.map((turn): RowTurn => {
    const raw = rawAt(value, turn.path);
    const record = isRecord(raw) ? raw : {};
    const calls = turn.path.length > 1 ? (record['tool_calls'] ?? record['function_call']) : undefined;
    // A ShareGPT `function_call` turn holds its call as its text.
    const callText =
      calls !== undefined && calls !== null
        ? prettyToolCalls(calls)
        : turn.role === 'function_call' && turn.content !== undefined
          ? prettyJsonText(turn.content)
          : null;
    const name = record['name'] ?? record['tool_call_id'];
    const content = turn.role === 'function_call' ? null : (turn.content ?? null);
    return {
      role: turn.role ?? null,
      canonical: turn.canonicalRole ?? null,
      content: content === null ? null : cut(content),
      length: content?.length ?? 0,
      toolCalls: callText,
      name: typeof name === 'string' ? name : null,
      weightZero: record['weight'] === 0,
    };
  });
  // Only lines with findings need the syntax tree (JsonLine builds it on the first span asked for).
  if (findings.length > 0) placeOnTurns(findings, json, example.turns);
  const plain = example.text ?? null;
  return {
    kind: 'example',
    line,
    format: example.format,
    turns,
    text: plain === null ? null : cut(plain),
    textLength: plain?.length ?? 0,
    extra: extraFields(value),
    findings,
  };
}

function prettyJsonText(text: string): string {
  try {
    return cut(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    return cut(text);
  }
}

/** A finding belongs to the smallest turn whose span holds its start. */
function placeOnTurns(
  findings: RowFinding[],
  json: JsonLine,
  turns: readonly { path: (string | number)[] }[],
): void {
  const spans = turns.map((turn) => json.valueSpan(turn.path));
  for (const finding of findings) {
    let best: number | null = null;
    let bestSize = Infinity;
    spans.forEach((span, index) => {
      if (!span || finding.start < span.start || finding.start >= span.end) return;
      if (finding.end > span.end) return;
      const size = span.end - span.start;
      if (size < bestSize) {
        best = index;
        bestSize = size;
      }
    });
    finding.turn = best;
  }
}

/** What a filter needs of a line beyond its findings; read only when the filter asks for it. */
function lineFacts(text: string): {
  format: FormatId | 'invalid';
  turns: number;
  /** The answer, trimmed, as `tunesmith stats` reads labels; undefined without an answer turn. */
  label?: string;
  system?: string;
} {
  if (text.trim() === '') return { format: 'invalid', turns: 0 };
  try {
    const example = toExample(JSON.parse(text));
    return example
      ? {
          format: example.format,
          turns: example.turns.length,
          label: answerTurn(example)?.content?.trim(),
          system: systemTurn(example)?.content,
        }
      : { format: 'invalid', turns: 0 };
  } catch {
    return { format: 'invalid', turns: 0 };
  }
}

/**
 * A line's tokens for the token bounds of a filter: per example, or of one role's turns; -1 when the
 * line has none (no example, or no turn of that role). Counted by the language server's tokenizer
 * (the statistics), as the host cannot count them itself.
 */
export type TokensOf = (line: number, role: string | undefined) => number;

/** Whether the filter has token bounds: it needs the token counts (the statistics) to be applied. */
export const needsTokens = (filter: DatasetFilter): boolean =>
  filter.minTokens !== undefined || filter.maxTokens !== undefined;

/**
 * Whether a line passes the filter. `findings` are the line's diagnostics; the text is parsed only
 * for the format, turn-count, label and system-prompt conditions, and searched only for the query;
 * token bounds read `tokens` (no line passes them without it).
 */
export function passes(
  text: string,
  findings: readonly FindingInput[],
  filter: DatasetFilter,
  tokens?: { line: number; of: TokensOf },
): boolean {
  if (filter.code !== undefined || filter.severity !== undefined) {
    const hit = findings.some(
      (finding) =>
        (filter.code === undefined || finding.code === filter.code) &&
        (filter.severity === undefined || finding.severity === filter.severity),
    );
    if (!hit) return false;
  }
  if (needsTokens(filter)) {
    const count = tokens ? tokens.of(tokens.line, filter.tokenRole) : -1;
    if (count < 0) return false;
    if (filter.minTokens !== undefined && count < filter.minTokens) return false;
    if (filter.maxTokens !== undefined && count > filter.maxTokens) return false;
  }
  if (filter.query !== undefined && filter.query !== '') {
    if (!text.toLowerCase().includes(filter.query.toLowerCase())) return false;
  }
  if (
    filter.format !== undefined ||
    filter.minTurns !== undefined ||
    filter.maxTurns !== undefined ||
    filter.label !== undefined ||
    filter.system !== undefined
  ) {
    const facts = lineFacts(text);
    if (filter.format !== undefined && facts.format !== filter.format) return false;
    if (filter.minTurns !== undefined && facts.turns < filter.minTurns) return false;
    if (filter.maxTurns !== undefined && facts.turns > filter.maxTurns) return false;
    if (filter.label !== undefined && facts.label !== filter.label) return false;
    if (filter.system !== undefined && facts.system !== filter.system) return false;
  }
  return true;
}

/**
 * Whether the filter looks beyond the findings (the lines' text, or their token counts); else only
 * lines with findings can pass, and only those need be read.
 */
export const readsText = (filter: DatasetFilter): boolean =>
  (filter.query !== undefined && filter.query !== '') ||
  filter.format !== undefined ||
  filter.minTurns !== undefined ||
  filter.maxTurns !== undefined ||
  needsTokens(filter) ||
  filter.label !== undefined ||
  filter.system !== undefined;

/** A dataset's findings as a filter reads them (FindingsTable, or a test's map). */
export interface FindingsSource {
  of(line: number): FindingInput[];
  /** The lines that have findings, ascending. */
  lines(): number[];
}

/** Every line's text, in batches, between which other work (edits, messages) gets through. */
export type LineBatches = AsyncIterable<readonly { line: number; text: string }[]>;

/** The lines `0…count-1` of an in-memory source (a TextDocument), `size` at a time. */
export async function* inBatches(
  count: number,
  text: (line: number) => string,
  size: number,
): AsyncGenerator<{ line: number; text: string }[]> {
  for (let start = 0; start < count; start += size) {
    const end = Math.min(count, start + size);
    const batch: { line: number; text: string }[] = [];
    for (let line = start; line < end; line++) batch.push({ line, text: text(line) });
    yield batch;
    await new Promise((done) => setImmediate(done));
  }
}

/**
 * The lines that pass `filter` (null: all). A findings-only filter reads no text; any other reads
 * every line of `batches` (read lazily) once. Undefined when `current()` turned false meanwhile (a newer filter,
 * a new version of the rows) or there are no lines to read yet: the view asks again.
 */
export async function filterLines(
  filter: DatasetFilter,
  findings: FindingsSource,
  batches: LineBatches | undefined,
  current: () => boolean,
  tokens?: TokensOf,
): Promise<number[] | null | undefined> {
  if (isEmptyFilter(filter)) return null;
  const lines: number[] = [];
  if (!readsText(filter)) {
    for (const line of findings.lines()) if (passes('', findings.of(line), filter)) lines.push(line);
    return lines;
  }
  if (!batches) return undefined;
  const counted = tokens && { of: tokens, line: 0 };
  try {
    for await (const batch of batches) {
      if (!current()) return undefined;
      for (const { line, text } of batch) {
        if (counted) counted.line = line;
        if (passes(text, findings.of(line), filter, counted)) lines.push(line);
      }
    }
  } catch (error) {
    // The file was read again meanwhile (the old copy's descriptor closed): the view asks again.
    if (!current()) return undefined;
    throw error;
  }
  return current() ? lines : undefined;
}

/** Whether the filter narrows anything at all (a token role alone does not). */
export const isEmptyFilter = (filter: DatasetFilter): boolean =>
  filter.code === undefined &&
  filter.severity === undefined &&
  filter.format === undefined &&
  filter.minTurns === undefined &&
  filter.maxTurns === undefined &&
  filter.minTokens === undefined &&
  filter.maxTokens === undefined &&
  filter.label === undefined &&
  filter.system === undefined &&
  (filter.query === undefined || filter.query === '');
