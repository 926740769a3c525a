/**
 * Lines whose format (format/drift) or top-level key set (format/key-set) differs from what most lines
 * of the file use. Facts are one short string per line, `format\tkey\0key...` in written order; keys are
 * sorted only once per distinct signature, at report time, to keep the per-line cost to a join.
 */
import { datasetChecker, type LineAccess, type Report } from '../../engine/rule.ts';
import { FORMAT_KEYS, FORMAT_NAMES, type FormatId } from '../../engine/formats.ts';
import type { RelatedLocation, RuleMeta } from '../../engine/types.ts';
import { isRecord, quoteKey, rangeOf } from '../line-spans.ts';
import { convertLine } from './convert.ts';
import { likelyTopLevelKey } from './misspelling.ts';

export const DRIFT: RuleMeta = {
  code: 'format/drift',
  family: 'format',
  description: 'A line uses a different dataset format from most lines of the file.',
  defaultSeverity: 'warning',
  fixable: true,
};

export const KEY_SET: RuleMeta = {
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
};

interface Parsed {
  format: KnownFormat;
  signature: string;
}

function parse(facts: string): Parsed {
  const tab = facts.indexOf('\t');
  return { format: facts.slice(0, tab) as KnownFormat, signature: facts.slice(tab + 1) };
}

/** The most frequent key among counts; ties go to the one seen first. */
function dominant<K>(counts: Map<K, number>): K | undefined {
  let best: K | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

/** Whether every line has the same format and key set (keys perhaps in another order): nothing to report. */
function isUniform(distinct: Map<string, number>): boolean {
  let first: string | undefined;
  for (const facts of distinct.keys()) {
    const { format, signature } = parse(facts);
    const normal = `${format}\t${signature.split(SEPARATOR).sort().join(SEPARATOR)}`;
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
    const factsById = new Map<number, string>();
    const distinct = new Map<string, number>();
    return {
      add(id, facts) {
        factsById.set(id, facts);
        distinct.set(facts, (distinct.get(facts) ?? 0) + 1);
      },
      remove(id, facts) {
        factsById.delete(id);
        const count = (distinct.get(facts) ?? 0) - 1;
        if (count > 0) distinct.set(facts, count);
        else distinct.delete(facts);
      },
      report(lines, report) {
        if (factsById.size < 2 || isUniform(distinct)) return;
        const formatCounts = new Map<KnownFormat, number>();
        const firstOfFormat = new Map<KnownFormat, number>();
        const sortedSignature = new Map<string, string>();
        const parsed = new Map<number, Parsed>();
        for (const id of [...factsById.keys()].sort((a, b) => a - b)) {
          const p = parse(factsById.get(id)!);
          let sorted = sortedSignature.get(p.signature);
          if (sorted === undefined) {
            sorted = p.signature.split(SEPARATOR).sort().join(SEPARATOR);
            sortedSignature.set(p.signature, sorted);
          }
          p.signature = sorted;
          parsed.set(id, p);
          formatCounts.set(p.format, (formatCounts.get(p.format) ?? 0) + 1);
          if (!firstOfFormat.has(p.format)) firstOfFormat.set(p.format, id);
        }
        const main = dominant(formatCounts)!;
        const mainCount = formatCounts.get(main)!;
        const signatureCounts = new Map<string, number>();
        const firstOfSignature = new Map<string, number>();
        for (const [id, p] of parsed) {
          if (p.format !== main) continue;
          signatureCounts.set(p.signature, (signatureCounts.get(p.signature) ?? 0) + 1);
          if (!firstOfSignature.has(p.signature)) firstOfSignature.set(p.signature, id);
        }
        const mainSignature = dominant(signatureCounts)!;
        const exemplar = firstOfFormat.get(main)!;
        for (const [id, p] of parsed) {
          if (p.format !== main)
            reportDrift(lines, report, id, p.format, main, mainCount, parsed.size, exemplar);
          else if (p.signature !== mainSignature)
            reportKeySet(
              lines,
              report,
              id,
              main,
              mainSignature,
              signatureCounts.get(mainSignature)!,
              mainCount,
              firstOfSignature.get(mainSignature)!,
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
  const converted = convertLine(json, format, main);
  const range = rangeOf(context, json.keySpan([key]));
  report(DRIFT.code, {
    message: `Line uses ${FORMAT_NAMES[format]} but ${mainCount} of ${total} lines use ${FORMAT_NAMES[main]}; trainers read one format per file.`,
    range,
    related: [relatedLine(lines, exemplar, identifyingKey(main), `First line in ${FORMAT_NAMES[main]}`)],
    ...(converted !== undefined
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
    (k) => !expectedSet.has(k) && likelyTopLevelKey(k, value) === undefined,
  );
  const missing = expected.filter(
    (k) => !Object.hasOwn(value, k) && !Object.keys(value).some((o) => likelyTopLevelKey(o, value) === k),
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
  const lastProperty = canFix ? json.propertySpan([Object.keys(value).at(-1)!]) : undefined;
  const spaced = /"\s*:\s/.test(json.text);
  report(KEY_SET.code, {
    message: `Top-level keys differ from most lines (${problems.join('; ')}): ${usual}.`,
    range,
    related: [relatedLine(lines, exemplar, expected[0]!, 'A line with the usual keys')],
    ...(lastProperty && neutral
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
