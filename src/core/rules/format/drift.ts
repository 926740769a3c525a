/**
 * Lines whose format (format/drift) or top-level key set (format/key-set) differs from what most lines
 * of the file use. Facts are one short string per line, `format\tkey\0key...` in written order; keys are
 * sorted only once per distinct signature, at report time, to keep the per-line cost to a join.
 */
import { datasetChecker, type LineAccess, type LineContext, type Report } from '../../engine/rule.ts';
import { FORMAT_KEYS, FORMAT_NAMES, type FormatId } from '../../engine/formats.ts';
import type { RelatedLocation, RuleMeta, TextEdit } from '../../engine/types.ts';
import { IdSet } from '../consistency/columns.ts';
import { isRecord, quoteKey, rangeOf } from '../line-spans.ts';
import { convertLine, keyRenames, type KeyRename } from './convert.ts';
import { likelyTopLevelKey } from './misspelling.ts';

const DRIFT: RuleMeta = {
  code: 'format/drift',
  family: 'format',
  description: 'A line uses a different dataset format from most lines of the file.',
  // An error: the trainer reads one format per file and refuses the file at the first other line.
  defaultSeverity: 'error',
  fixable: true,
};

const KEY_SET: RuleMeta = {
  code: 'format/key-set',
  family: 'format',
  description: 'A line has the same format as most lines but a different set of top-level keys.',
  defaultSeverity: 'info',
  fixable: true,
};

type KnownFormat = Exclude<FormatId, 'unknown'>;

const SEPARATOR = '\u0000';

/** Values a missing optional key can take without changing what the example means. */
const NEUTRAL_VALUES: Partial<Record<KnownFormat, Record<string, string>>> = {
  alpaca: { input: '""' },
  'instruction-response': { context: '""', input: '""' },
};

interface Parsed {
  format: KnownFormat;
  signature: string;
}

function parse(facts: string): Parsed {
  const tab = facts.indexOf('\t');
  return { format: facts.slice(0, tab) as KnownFormat, signature: facts.slice(tab + 1) };
}

interface Group {
  facts: string;
  /** Its place in the index's group table, and the value of its lines in the group column. */
  number: number;
  count: number;
}

interface Tally<K> {
  key: K;
  count: number;
  /** The id on the earliest line. */
  first: number;
  firstLine: number;
}

/** The most frequent key over groups of lines; ties go to the key seen on an earlier line. */
function dominant<K, G extends { count: number; first: number; firstLine: number }>(
  groups: readonly G[],
  keyOf: (group: G) => K,
): Tally<K> | undefined {
  const tallies = new Map<K, Tally<K>>();
  for (const group of groups) {
    const key = keyOf(group);
    const tally = tallies.get(key);
    if (!tally) tallies.set(key, { key, count: group.count, first: group.first, firstLine: group.firstLine });
    else {
      tally.count += group.count;
      if (group.firstLine < tally.firstLine) [tally.first, tally.firstLine] = [group.first, group.firstLine];
    }
  }
  let best: Tally<K> | undefined;
  for (const tally of tallies.values()) {
    if (!best || tally.count > best.count || (tally.count === best.count && tally.firstLine < best.firstLine))
      best = tally;
  }
  return best;
}

function sortedSignature(signature: string): string {
  return signature.split(SEPARATOR).sort().join(SEPARATOR);
}

/** Whether every line has the same format and key set (keys perhaps in another order): nothing to report. */
function isUniform(distinct: Iterable<string>): boolean {
  let first: string | undefined;
  for (const facts of distinct) {
    const { format, signature } = parse(facts);
    const normal = `${format}\t${sortedSignature(signature)}`;
    if (first === undefined) first = normal;
    else if (normal !== first) return false;
  }
  return true;
}

function identifyingKey(format: KnownFormat): string {
  return FORMAT_KEYS[format].required[0]!;
}

export const driftChecker = datasetChecker<string>({
  kind: 'dataset',
  rules: [DRIFT, KEY_SET],
  extract(context) {
    const example = context.example;
    if (example === undefined || example.format === 'unknown') return undefined;
    return `${example.format}\t${example.keys.join(SEPARATOR)}`;
  },
  createIndex() {
    // Each line holds the number of its group (lines with the same facts) in a typed-array column,
    // not an entry in a per-group Set: a file has few distinct signatures, and the report, which runs
    // when a 1 GB file's memory peaks, visits each line once to find each group's first line.
    const present = new IdSet();
    const groupOf = present.column(Uint32Array);
    const groups: (Group | undefined)[] = [];
    const byFacts = new Map<string, Group>();
    const free: number[] = [];
    return {
      add(id, facts) {
        if (!present.add(id)) return;
        let group = byFacts.get(facts);
        if (!group) {
          group = { facts, number: free.pop() ?? groups.length, count: 0 };
          groups[group.number] = group;
          byFacts.set(facts, group);
        }
        groupOf.values[id] = group.number;
        group.count++;
      },
      remove(id, facts) {
        const group = byFacts.get(facts);
        if (!group || !present.has(id) || groupOf.values[id] !== group.number) return;
        present.remove(id);
        if (--group.count > 0) return;
        byFacts.delete(facts);
        groups[group.number] = undefined;
        free.push(group.number);
      },
      move(from, delta) {
        present.move(from, delta);
      },
      report(lines, report) {
        if (present.size < 2 || isUniform(byFacts.keys())) return;
        const firsts = new Int32Array(groups.length).fill(-1);
        const firstLines = new Float64Array(groups.length).fill(Infinity);
        const numbers = groupOf.values;
        for (let id = 0; id < present.end; id++) {
          if (!present.has(id)) continue;
          const number = numbers[id]!;
          const line = lines.lineOf(id);
          if (line < firstLines[number]!) [firsts[number], firstLines[number]] = [id, line];
        }
        const summaries = [...byFacts.values()].map((group) => {
          const { format, signature } = parse(group.facts);
          return {
            format,
            signature: sortedSignature(signature),
            number: group.number,
            count: group.count,
            first: firsts[group.number]!,
            firstLine: firstLines[group.number]!,
          };
        });
        const main = dominant(summaries, (g) => g.format)!;
        const mainGroups = summaries.filter((g) => g.format === main.key);
        const mainSignature = dominant(mainGroups, (g) => g.signature)!;
        // Offenders by group number, then their ids in one typed array sorted by line.
        const formats: (KnownFormat | undefined)[] = [];
        let offenderCount = 0;
        for (const group of summaries) {
          if (group.format === main.key && group.signature === mainSignature.key) continue;
          formats[group.number] = group.format;
          offenderCount += group.count;
        }
        const offenders = new Uint32Array(offenderCount);
        let n = 0;
        let sorted = true;
        let lastLine = -Infinity;
        for (let id = 0; id < present.end && n < offenderCount; id++) {
          if (!present.has(id) || formats[numbers[id]!] === undefined) continue;
          offenders[n++] = id;
          const line = lines.lineOf(id);
          if (line < lastLine) sorted = false;
          lastLine = line;
        }
        if (!sorted) offenders.sort((a, b) => lines.lineOf(a) - lines.lineOf(b));
        for (const id of offenders) {
          const format = formats[numbers[id]!]!;
          if (format !== main.key)
            reportDrift(lines, report, id, format, main.key, main.count, present.size, main.first);
          else
            reportKeySet(
              lines,
              report,
              id,
              main.key,
              mainSignature.key,
              mainSignature.count,
              main.count,
              mainSignature.first,
            );
        }
      },
    };
  },
});

function relatedLine(lines: LineAccess, id: number, key: string, message: string): RelatedLocation {
  const context = lines.context(id);
  return { range: rangeOf(context, context.json?.keySpan([key])), message };
}

function reportDrift(
  lines: LineAccess,
  report: Report,
  id: number,
  format: KnownFormat,
  main: KnownFormat,
  mainCount: number,
  total: number,
  exemplar: number,
): void {
  const context = lines.context(id);
  const json = context.json!;
  const key = identifyingKey(format);
  const renames = keyRenames(json.value, format, main);
  const renameFix = renames && renameEdits(context, renames);
  const converted = renameFix ? undefined : convertLine(json, format, main);
  const range = rangeOf(context, json.keySpan([key]));
  report(DRIFT.code, {
    message: `Line uses ${FORMAT_NAMES[format]} but ${mainCount} of ${total} lines use ${FORMAT_NAMES[main]}; trainers read one format per file, and Tunesmith's trainer refuses this one.`,
    range,
    related: [relatedLine(lines, exemplar, identifyingKey(main), `First line in ${FORMAT_NAMES[main]}`)],
    ...(renameFix
      ? { fix: { title: `Rename ${renameTitle(renames!)}`, edits: renameFix } }
      : converted !== undefined
        ? {
            fix: {
              title: `Convert to ${FORMAT_NAMES[main]}`,
              edits: [{ range: context.lineRange(), newText: converted }],
            },
          }
        : {}),
  });
}

function reportKeySet(
  lines: LineAccess,
  report: Report,
  id: number,
  format: KnownFormat,
  mainSignature: string,
  signatureCount: number,
  formatCount: number,
  exemplar: number,
): void {
  const context = lines.context(id);
  const json = context.json!;
  const value = json.value;
  if (!isRecord(value)) return;
  const expected = mainSignature.split(SEPARATOR);
  const expectedSet = new Set(expected);
  // Misspelled keys are format/misspelled-key's to report; their fix resolves this finding too.
  const extra = Object.keys(value).filter(
    (k) => !expectedSet.has(k) && likelyTopLevelKey(k, value, format) === undefined,
  );
  const missing = expected.filter(
    (k) =>
      !Object.hasOwn(value, k) && !Object.keys(value).some((o) => likelyTopLevelKey(o, value, format) === k),
  );
  if (extra.length === 0 && missing.length === 0) return;
  const usual = `${signatureCount} of ${formatCount} ${FORMAT_NAMES[format]} lines have keys ${expected.map(quoteKey).join(', ')}`;
  const problems = [
    ...(extra.length ? [`extra ${extra.map(quoteKey).join(', ')}`] : []),
    ...(missing.length ? [`missing ${missing.map(quoteKey).join(', ')}`] : []),
  ];
  const range = rangeOf(context, json.keySpan([extra[0] ?? identifyingKey(format)]));
  const neutral = NEUTRAL_VALUES[format];
  const canFix =
    extra.length === 0 && neutral !== undefined && missing.every((k) => neutral[k] !== undefined);
  // Dolly's `context` where the file uses GPTeacher's `input`, or the other way round: rename it.
  const renames =
    extra.length === 1 && missing.length === 1
      ? keyRenames(value, format, format, new Set(extra))?.filter((r) => r.to === missing[0])
      : undefined;
  const renameFix = renames?.length ? renameEdits(context, renames) : undefined;
  const lastProperty = canFix ? json.propertySpan([Object.keys(value).at(-1)!]) : undefined;
  const spaced = /"\s*:\s/.test(json.text);
  report(KEY_SET.code, {
    message: `Top-level keys differ from most lines (${problems.join('; ')}): ${usual}.`,
    range,
    related: [relatedLine(lines, exemplar, expected[0]!, 'A line with the usual keys')],
    ...(renameFix
      ? { fix: { title: `Rename ${renameTitle(renames!)}`, edits: renameFix } }
      : lastProperty && neutral
        ? {
            fix: {
              title: `Add ${missing.map(quoteKey).join(', ')}`,
              edits: [
                {
                  range: context.range({ start: lastProperty.end, end: lastProperty.end }),
                  newText: missing
                    .map(
                      (k) => `${spaced ? ', ' : ','}${JSON.stringify(k)}${spaced ? ': ' : ':'}${neutral[k]!}`,
                    )
                    .join(''),
                },
              ],
            },
          }
        : {}),
  });
}

/** One edit per renamed key, over the key alone: the values and the rest of the line stay as written. */
function renameEdits(context: LineContext, renames: readonly KeyRename[]): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  for (const { from, to } of renames) {
    const span = context.json!.keySpan([from]);
    if (!span) return undefined;
    edits.push({ range: context.range(span), newText: JSON.stringify(to) });
  }
  return edits;
}

function renameTitle(renames: readonly KeyRename[]): string {
  return renames.map((r) => `${quoteKey(r.from)} to ${quoteKey(r.to)}`).join(', ');
}
