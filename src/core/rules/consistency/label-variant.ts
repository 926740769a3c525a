/**
 * `consistency/label-variant`: in a classification-style dataset (answers from a small set of labels),
 * spellings of a label that differ from a more frequent one only by case, punctuation or spacing
 * (`Positive`, `positive`, `positive.`): a model trained on them learns three labels instead of one.
 */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { withoutEndToken } from './closed-answer.ts';
import { answerOf, contentRange, isOn } from './common.ts';
import { forEachGroup, forEachRun, SortedPairs } from './grouping.ts';
import { hash32, hashString, normaliseLabel, quote } from './hashing.ts';

const LABEL_VARIANT: RuleMeta = {
  code: 'consistency/label-variant',
  family: 'consistency',
  description: 'A label is spelled differently (case, punctuation, spacing) from a more frequent one.',
  defaultSeverity: 'warning',
  fixable: true,
};

/** Longer answers are not labels; they still count as distinct answers. */
const MAX_LABEL_LENGTH = 100;
const MIN_EXAMPLES = 10;
/** The most frequent `maxLabelClasses` answers must cover this share of examples... */
const LABEL_COVERAGE = 0.9;
/** ...with at least this many examples per class on average. */
const MIN_PER_CLASS = 3;

interface LabelFacts {
  /** Hash of the answer as written. */
  exact: number;
  /** Hash of the answer without case, punctuation and whitespace; NaN when that leaves nothing. */
  label: number;
}

export const labelVariantChecker = datasetChecker<LabelFacts>({
  kind: 'dataset',
  rules: [LABEL_VARIANT],
  extract(context) {
    const answer = answerOf(context);
    if (!answer || answer.contentKind !== 'string') return undefined;
    const text = answer.content!;
    const exact = hashString(text);
    if (text.length > MAX_LABEL_LENGTH) return { exact, label: exact };
    // Without an end-of-text token: "★★<|endoftext|>" and "★★★★★<|endoftext|>" are not one label
    // "endoftext" (self-instruct's T0 files append the token to every answer).
    const normalised = normaliseLabel(withoutEndToken(text));
    return { exact, label: normalised === '' ? NaN : hashString(normalised, 1) };
  },
  createIndex(config) {
    const set = new IdSet();
    const exact = set.column(Uint32Array);
    const label = set.column(Uint32Array);
    const on = isOn(config, LABEL_VARIANT);
    const maxClasses = config.consistency.maxLabelClasses;
    // Labels stay sorted across edits; classes are runs of it, so no array is made per distinct answer.
    const byLabel = new SortedPairs((id) => label.values[id] || undefined);
    return {
      add(id, facts) {
        if (!set.add(id)) return;
        exact.values[id] = hash32(facts.exact);
        label.values[id] = Number.isNaN(facts.label) ? 0 : hash32(facts.label);
        byLabel.added(id);
      },
      remove(id) {
        if (!set.has(id)) return;
        byLabel.removing(id);
        set.remove(id);
      },
      move(from, delta) {
        set.move(from, delta);
        byLabel.move(from, delta);
      },
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const sorted = byLabel.sorted(() => set.ids());
        // The `maxClasses` largest classes, larger first and then by first id (an id's run is ascending).
        const top: { start: number; end: number }[] = [];
        const before = (start: number, end: number, other: { start: number; end: number }): boolean =>
          end - start > other.end - other.start ||
          (end - start === other.end - other.start && sorted.ids[start]! < sorted.ids[other.start]!);
        const limit = Math.floor(maxClasses); // as `slice(0, maxClasses)` would take
        forEachRun(sorted, (start, end) => {
          if (limit < 1 || (top.length >= limit && !before(start, end, top.at(-1)!))) return;
          let at = top.length;
          while (at > 0 && before(start, end, top[at - 1]!)) at--;
          top.splice(at, 0, { start, end });
          if (top.length > limit) top.pop();
        });
        const covered = top.reduce((sum, run) => sum + run.end - run.start, 0);
        if (covered < LABEL_COVERAGE * set.size || covered < MIN_PER_CLASS * top.length) return;
        for (const run of top) {
          const spellings: number[][] = [];
          forEachGroup(sorted.ids.slice(run.start, run.end), exact.values, 1, (same) => spellings.push(same));
          if (spellings.length < 2) continue;
          spellings.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
          const dominant = spellings[0]!;
          const dominantContext = lines.context(dominant[0]!);
          const dominantAnswer = answerOf(dominantContext);
          const dominantText = dominantAnswer?.content;
          if (dominantText === undefined) continue;
          for (const variant of spellings.slice(1)) {
            if (variant.length >= dominant.length) continue;
            for (const id of variant) {
              const context = lines.context(id);
              const answer = answerOf(context);
              if (answer?.content === undefined || answer.content === dominantText) continue;
              const range = contentRange(context, answer);
              report(LABEL_VARIANT.code, {
                message: `Label ${quote(answer.content)} differs only in case, punctuation or spacing from ${quote(dominantText)} (${dominant.length} examples)`,
                range,
                related: [
                  { range: contentRange(dominantContext, dominantAnswer), message: 'The usual spelling' },
                ],
                fix: {
                  title: `Replace with ${quote(dominantText)}`,
                  edits: [{ range, newText: JSON.stringify(dominantText) }],
                },
              });
            }
          }
        }
      },
    };
  },
});
