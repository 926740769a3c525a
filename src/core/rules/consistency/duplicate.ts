/**
 * `consistency/duplicate` and `consistency/conflict`: exact copies of an example, and one prompt with
 * answers that commit to different values (`closedAnswer`: open generation never conflicts). Both group 53-bit hashes kept in typed arrays, sorted once and then patched as
 * lines change (`SortedPairs`); report re-reads only the lines that get a finding, and `update` only
 * the groups an edit touched.
 */
import { datasetChecker, type LineAccess, type Report } from '../../engine/rule.ts';
import type { FindingTag, RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, exactHash, isOn, lineLabel, linesLabel, MAX_RELATED } from './common.ts';
import { forEachSortedGroup, hashKey, pairsOf, SortedPairs, type SortedIds } from './grouping.ts';
import { closedAnswer } from './closed-answer.ts';
import { canonicalJson, hash32, hashNormalised, hashString } from './hashing.ts';

const DUPLICATE: RuleMeta = {
  code: 'consistency/duplicate',
  family: 'consistency',
  description: 'An example is an exact copy of an earlier one (ignoring key order and whitespace).',
  defaultSeverity: 'warning',
  fixable: true,
};

const CONFLICT: RuleMeta = {
  code: 'consistency/conflict',
  family: 'consistency',
  description: 'The same prompt (and tools) has answers that commit to different values.',
  defaultSeverity: 'warning',
  fixable: false,
};

interface DuplicateFacts {
  /** Hash of the canonical JSON of the line. */
  exact: number;
  /** Hash of the normalised prompt and the tools offered; NaN when the example has no answer turn. */
  prompt: number;
  /** Hash of the value the answer commits to (`closedAnswer`); NaN for open generation. */
  answer: number;
}

export const duplicateChecker = datasetChecker<DuplicateFacts>({
  kind: 'dataset',
  rules: [DUPLICATE, CONFLICT],
  extract(context) {
    const json = context.json;
    const exact = exactHash(context);
    if (exact === undefined || typeof json?.value !== 'object' || json.value === null) return undefined;
    const facts: DuplicateFacts = { exact, prompt: NaN, answer: NaN };
    const answer = answerOf(context);
    if (answer && context.example) {
      // The prompt is every turn before the answer, role and text, whitespace-collapsed and case-folded.
      const parts: string[] = [];
      const texts: string[] = [];
      for (const turn of context.example.turns) {
        if (turn === answer) break;
        parts.push(turn.canonicalRole ?? turn.role ?? '?', turn.content ?? '');
        if (turn.content !== undefined) texts.push(turn.content);
      }
      // The tools offered are the model's input too: one question asked with other tools may rightly
      // get another answer (Glaive's tool-call data asks "order a pizza" beside different tools).
      const tools = (json.value as Record<string, unknown>)['tools'];
      if (tools !== undefined) parts.push('tools', canonicalJson(tools) ?? '');
      facts.prompt = hashNormalised(parts);
      const closed = closedAnswer(answer.content!, texts);
      if (closed !== undefined) facts.answer = hashString(closed, 1);
    }
    return facts;
  },
  createIndex(config) {
    const set = new IdSet();
    const exact = set.column(Float64Array);
    const prompt = set.column(Float64Array);
    const answer = set.column(Uint32Array);
    const duplicatesOn = isOn(config, DUPLICATE);
    const conflictsOn = isOn(config, CONFLICT);
    /** For `update`: the prompt keys that had two answers or more at the last update. */
    const conflicted = new Set<number>();
    const byExact = new SortedPairs((id) => hashKey(exact.values[id]!));
    const byPrompt = new SortedPairs((id) => hashKey(prompt.values[id]!));
    return {
      add(id, facts) {
        if (!set.add(id)) return;
        exact.values[id] = facts.exact;
        prompt.values[id] = facts.prompt;
        // 0: an open answer, which takes no part in a conflict.
        answer.values[id] = Number.isNaN(facts.answer) ? 0 : hash32(facts.answer);
        byExact.added(id);
        byPrompt.added(id);
      },
      remove(id) {
        if (!set.has(id)) return;
        byExact.removing(id);
        byPrompt.removing(id);
        set.remove(id);
      },
      move(from, delta) {
        set.move(from, delta);
        byExact.move(from, delta);
        byPrompt.move(from, delta);
      },
      report(lines, report) {
        const ids = (): Uint32Array => set.ids();
        if (duplicatesOn) reportDuplicates(byExact.sorted(ids), exact.values, lines, report);
        if (conflictsOn) reportConflicts(byPrompt.sorted(ids), prompt.values, answer.values, lines, report);
      },
      update(lines, report, restate) {
        const ids = (): Uint32Array => set.ids();
        const byCopy = duplicatesOn ? byExact.update(ids) : undefined;
        const byQuestion = conflictsOn ? byPrompt.update(ids) : undefined;
        if ((byCopy && !byCopy.changes) || (byQuestion && !byQuestion.changes)) {
          if (byCopy) reportDuplicates(byCopy.sorted, exact.values, lines, report);
          conflicted.clear();
          if (byQuestion)
            reportConflicts(
              byQuestion.sorted,
              prompt.values,
              answer.values,
              lines,
              report,
              undefined,
              conflicted,
            );
          return 'all';
        }
        const changed = new Set<number>(restate);
        if (byCopy) changedCopies(byCopy.sorted, byCopy.changes!, exact.values, changed);
        if (byQuestion)
          changedQuestions(byQuestion.sorted, byQuestion.changes!, answer.values, conflicted, changed);
        // Each changed id is reported again under both codes: the caller drops all it had.
        const present = [...changed].filter((id) => set.has(id));
        /** The changed ids by key: a pasted block of copies is many keys of a few ids each. */
        const byKey = (values: Float64Array): Map<number, Set<number>> => {
          const ids = new Map<number, Set<number>>();
          for (const id of present) {
            const key = hashKey(values[id]!);
            if (key === undefined) continue;
            const same = ids.get(key);
            if (same) same.add(id);
            else ids.set(key, new Set([id]));
          }
          return ids;
        };
        for (const [key, ids] of byCopy ? byKey(exact.values) : [])
          reportCopiesOf(pairsOf(byCopy!.sorted, key), exact.values, lines, report, ids);
        for (const key of byQuestion ? byKey(prompt.values).keys() : []) {
          conflicted.delete(key);
          const pairs = pairsOf(byQuestion!.sorted, key);
          if (!twoAnswers(pairs.ids, answer.values)) continue; // no conflict: nothing to report
          reportConflicts(pairs, prompt.values, answer.values, lines, report, changed, conflicted);
        }
        return changed;
      },
    };
  },
});

/** Whether all of `ids` have one value in `values` (a scan of typed arrays, no allocation). */
function oneValue(ids: Uint32Array, values: Float64Array | Uint32Array): boolean {
  for (let i = 1; i < ids.length; i++) if (values[ids[i]!] !== values[ids[0]!]) return false;
  return true;
}

/** Whether `ids` hold two different closed answers (0, an open answer, differs from none). */
function twoAnswers(ids: Uint32Array, answer: Uint32Array): boolean {
  let first = 0;
  for (const id of ids) {
    const value = answer[id]!;
    if (value === 0) continue;
    if (first === 0) first = value;
    else if (value !== first) return true;
  }
  return false;
}

/**
 * The duplicate findings of the `only` ids among the pairs of one key. With one hash under the key
 * (nearly always), the first occurrence is the smallest id and the copies are found among `only`,
 * without building the group: one copy among 100,000 costs what one copy of two does.
 */
function reportCopiesOf(
  pairs: SortedIds,
  exact: Float64Array,
  lines: LineAccess,
  report: Report,
  only: ReadonlySet<number>,
): void {
  if (!oneValue(pairs.ids, exact)) {
    reportDuplicates(pairs, exact, lines, report, only);
    return;
  }
  const first = pairs.ids[0];
  if (first === undefined) return;
  const present = (id: number): boolean => {
    let [low, high] = [0, pairs.ids.length];
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (pairs.ids[mid]! < id) low = mid + 1;
      else high = mid;
    }
    return pairs.ids[low] === id;
  };
  const copies = [...only].filter((id) => id !== first && present(id)).sort((a, b) => a - b);
  reportCopies(first, copies, lines, report);
}

/** (key, id) triples of a change log grouped by key: the smallest id logged under each key. */
function smallestLogged(changes: readonly number[], changed: Set<number>): Map<number, number> {
  const smallest = new Map<number, number>();
  for (let i = 0; i < changes.length; i += 3) {
    const [key, id] = [changes[i + 1]!, changes[i + 2]!];
    changed.add(id);
    smallest.set(key, Math.min(id, smallest.get(key) ?? id));
  }
  return smallest;
}

/**
 * The copies whose duplicate finding the logged changes can have changed: those logged, and every
 * copy of an example whose first occurrence may be another line now. A first occurrence below every
 * id logged under its key is the same line as before, with the same text, so its copies keep their
 * findings: typing in one of 100,000 copies re-reports that one line, not the 100,000.
 */
function changedCopies(
  sorted: SortedIds,
  changes: number[],
  exact: Float64Array,
  changed: Set<number>,
): void {
  for (const [key, smallest] of smallestLogged(changes, changed)) {
    const { ids } = pairsOf(sorted, key);
    // Ids are ascending within a key; nearly always one hash has it, whose first is ids[0].
    if (oneValue(ids, exact)) {
      if (ids.length > 0 && ids[0]! >= smallest) for (const id of ids) changed.add(id);
      continue;
    }
    const firsts = new Map<number, number>(); // by full hash
    for (const id of ids) {
      let first = firsts.get(exact[id]!);
      if (first === undefined) firsts.set(exact[id]!, (first = id));
      if (first >= smallest) changed.add(id);
    }
  }
}

/**
 * The examples whose conflict finding the logged changes can have changed. A conflict finding counts
 * and lists the other answers to its prompt, so a change among the answers to a prompt with two or
 * more changes them all; but a prompt with one answer, before and after, has no findings to change:
 * typing in one of 100,000 copies of an example re-reports that one line.
 */
function changedQuestions(
  sorted: SortedIds,
  changes: number[],
  answer: Uint32Array,
  conflicted: ReadonlySet<number>,
  changed: Set<number>,
): void {
  for (const key of smallestLogged(changes, changed).keys()) {
    const { ids } = pairsOf(sorted, key);
    if (!twoAnswers(ids, answer) && !conflicted.has(key)) continue;
    for (const id of ids) changed.add(id);
  }
}

function reportDuplicates(
  sorted: SortedIds,
  exact: Float64Array,
  lines: LineAccess,
  report: Report,
  only?: ReadonlySet<number>,
): void {
  forEachSortedGroup(sorted, exact, 2, (members) => {
    const copies = members.slice(1);
    reportCopies(members[0]!, only ? copies.filter((id) => only.has(id)) : copies, lines, report);
  });
}

/**
 * The findings of `copies` (ascending) of the example first seen on `firstId`. A file of one example
 * copied a million times has a million of them, so what the copies share (message, related location,
 * tags) is built once, and a copy whose text is byte-identical to the first needs no canonical
 * serialisation to confirm the hash.
 */
function reportCopies(firstId: number, copies: readonly number[], lines: LineAccess, report: Report): void {
  if (copies.length === 0) return;
  const first = lines.context(firstId);
  let canonical: string | undefined | null = null; // null: not computed yet
  const message = `Duplicate of ${lineLabel(first.line)}`;
  const related = [{ range: first.lineRange(), message: 'First occurrence' }];
  for (const id of copies) {
    const copy = lines.context(id);
    if (copy.text !== first.text) {
      // Different text under one hash is a collision, not a copy (too deep to serialise: trust the hash).
      if (canonical === null) canonical = canonicalJson(first.json?.value);
      const copyCanonical = canonicalJson(copy.json?.value);
      if (canonical !== undefined && copyCanonical !== undefined && copyCanonical !== canonical) continue;
    }
    report(DUPLICATE.code, {
      message,
      range: copy.lineRange(),
      related,
      fix: {
        title: 'Delete the duplicate line',
        edits: [
          {
            range: { start: { line: copy.line, character: 0 }, end: { line: copy.line + 1, character: 0 } },
            newText: '',
          },
        ],
      },
      tags: UNNECESSARY,
    });
  }
}

const UNNECESSARY: FindingTag[] = ['unnecessary'];

function reportConflicts(
  sorted: SortedIds,
  prompt: Float64Array,
  answer: Uint32Array,
  lines: LineAccess,
  report: Report,
  only?: ReadonlySet<number>,
  /** Gets the key of each prompt with two answers or more. */
  conflicted?: Set<number>,
): void {
  forEachSortedGroup(sorted, prompt, 2, (all, hash) => {
    // Open answers (0) are many right answers to one prompt: they neither conflict nor are shown.
    const members = all.filter((id) => answer[id] !== 0);
    const answerCounts = new Map<number, number>();
    for (const id of members) answerCounts.set(answer[id]!, (answerCounts.get(answer[id]!) ?? 0) + 1);
    if (answerCounts.size < 2) return;
    conflicted?.add(hashKey(hash)!);
    // The first MAX_RELATED members of each answer, in order: the first MAX_RELATED members with an
    // answer other than a given one are among them, found in at most 2 * MAX_RELATED steps. Scanning
    // every member for each was quadratic: one other answer among 100,000 ran for minutes.
    const leading: number[] = [];
    const seen = new Map<number, number>();
    for (const id of members) {
      const count = seen.get(answer[id]!) ?? 0;
      if (count < MAX_RELATED) leading.push(id);
      seen.set(answer[id]!, count + 1);
    }
    for (const id of members) {
      if (only && !only.has(id)) continue;
      // Counts come from the tally, so a huge group stays linear.
      const others: number[] = [];
      for (const other of leading) {
        if (answer[other] !== answer[id]) others.push(other);
        if (others.length === MAX_RELATED) break;
      }
      const otherCount = members.length - answerCounts.get(answer[id]!)!;
      const context = lines.context(id);
      const otherLines = others.map((other) => lines.lineOf(other));
      report(CONFLICT.code, {
        message: `The same prompt has a different answer on ${linesLabel(otherLines, 5, otherCount)}`,
        range: contentRange(context, answerOf(context)),
        related: others.map((other) => {
          const otherContext = lines.context(other);
          return {
            range: contentRange(otherContext, answerOf(otherContext)),
            message: 'A different answer to the same prompt',
          };
        }),
      });
    }
  });
}
