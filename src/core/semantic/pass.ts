/**
 * The semantic pass: `semantic/near-duplicate` and `semantic/conflict` within each file, and the
 * workspace checkers on embeddings (`split/semantic-leak`) across them, fed through the driver that
 * `split/leakage` runs on (core/lint/workspace.ts). It runs after the lexical lint of the files (whose
 * findings it is given, so a pair that MinHash or exact hashing already reported is not reported
 * again) with any `Embed` function: the embedding worker, usually behind the on-disk cache.
 *
 * Each example is reported once, against its most similar earlier example (at or above the threshold),
 * as `consistency/near-duplicate` is; `pair-index.ts` finds it, comparing every pair for a few hundred
 * examples and with an index beyond. The pairs found then go through a second stage (`near-miss.ts`):
 * prompts with mostly the same words whose changed words mean something else ("France" / "Germany")
 * are not reported. An example whose most similar earlier one is such a near-miss is not reported
 * against its second most similar either: the search keeps one partner per example.
 */
import { severityOf, type ResolvedConfig } from '../engine/config.ts';
import type { FileFinding, PairJudge, SplitRole } from '../engine/rule.ts';
import type { Finding, RuleMeta, Severity } from '../engine/types.ts';
import { WorkspaceLint } from '../lint/workspace.ts';
import { SEMANTIC_CONFLICT, SEMANTIC_NEAR_DUPLICATE } from '../rules/semantic/meta.ts';
import { WORKSPACE_CHECKERS } from '../rules/workspace.ts';
import type { Embed } from './cache.ts';
import { dot } from './vectors.ts';
import type { SemanticExample } from './examples.ts';
import { nearMisses } from './near-miss.ts';
import { bestEarlier, type PairSearchOptions } from './pair-index.ts';
import { normalised } from './prompt-key.ts';

export interface SemanticFile {
  /** The name findings carry (the lint's `shown` path). */
  readonly file: string;
  readonly role: SplitRole | undefined;
  readonly examples: readonly SemanticExample[];
  /** The file's lexical findings: the pairs they link are not reported again. */
  readonly lexical: readonly Finding[];
  /**
   * False: the file takes part in the split comparison only, its examples not compared with each other
   * (the language server's workspace leak pass, over files it does not show within-file findings for).
   */
  readonly compareWithin?: boolean;
}

/** Lexical codes whose pairs the semantic codes leave alone. */
const LEXICAL_PAIRS = ['consistency/duplicate', 'consistency/conflict', 'consistency/near-duplicate'];

function severity(config: ResolvedConfig, rule: RuleMeta): Severity | undefined {
  const setting = severityOf(config, rule.code, rule.family, rule.defaultSeverity);
  return setting === 'off' ? undefined : setting;
}

/** The driver of the workspace checkers on embeddings, under `config`. */
function crossFile(config: ResolvedConfig, search: PairSearchOptions, judgePairs?: PairJudge): WorkspaceLint {
  return new WorkspaceLint(
    config,
    WORKSPACE_CHECKERS,
    { kind: 'embeddings' },
    { pairSearch: search, judgePairs },
  );
}

/** Whether any semantic code is on (the pass, and the model, are needed at all). */
export function semanticRulesOn(config: ResolvedConfig): boolean {
  return (
    [SEMANTIC_NEAR_DUPLICATE, SEMANTIC_CONFLICT].some((rule) => severity(config, rule)) ||
    crossFile(config, {}).on
  );
}

function pairKey(a: number, b: number, file = ''): string {
  return a < b ? `${file}\0${a}\0${b}` : `${file}\0${b}\0${a}`;
}

/**
 * The same-file line pairs lexical findings link: `has` says whether one was reported. A
 * near-duplicate finding is a cluster whose every two members are paired, listed or not (its
 * related locations are capped at 20): its lines are kept as a cluster number per line, not as the
 * square of its size in pairs.
 */
function reportedPairs(files: readonly SemanticFile[]): { has(file: string, a: number, b: number): boolean } {
  const pairs = new Set<string>();
  const clusterOf = new Map<string, Map<number, number>>();
  let clusters = 0;
  for (const { file, lexical } of files) {
    for (const finding of lexical) {
      if (!LEXICAL_PAIRS.includes(finding.code)) continue;
      const lines = finding.code === 'consistency/near-duplicate' ? finding.data?.clusterLines : undefined;
      if (lines) {
        let ofLine = clusterOf.get(file);
        if (!ofLine) clusterOf.set(file, (ofLine = new Map()));
        clusters++;
        for (const line of lines) ofLine.set(line, clusters);
        continue;
      }
      for (const related of finding.related ?? [])
        if (related.file === undefined)
          pairs.add(pairKey(finding.range.start.line, related.range.start.line, file));
    }
  }
  return {
    has(file, a, b) {
      const ofLine = clusterOf.get(file);
      const cluster = ofLine?.get(a);
      return (cluster !== undefined && ofLine!.get(b) === cluster) || pairs.has(pairKey(a, b, file));
    },
  };
}

/** The lexical findings that link a file to another (split/leakage's): the workspace checkers' `earlier`. */
function crossFileFindings(files: readonly SemanticFile[]): FileFinding[] {
  return files.flatMap(({ file, lexical }) =>
    lexical
      .filter((finding) => finding.related?.some((related) => related.file !== undefined))
      .map((finding) => ({ file, finding })),
  );
}

/** The index of each prompt's first example in the file (prompts compared whitespace- and case-folded). */
function firstOfEachPrompt(file: SemanticFile): number[] {
  const seen = new Set<string>();
  const firsts: number[] = [];
  file.examples.forEach((example, index) => {
    const key = normalised(example.prompt);
    if (seen.has(key)) return;
    seen.add(key);
    firsts.push(index);
  });
  return firsts;
}

/** How many examples the pass compares (each file's distinct prompts): what `semantic.maxExamples` bounds. */
export function comparedExamples(files: readonly SemanticFile[]): number {
  return files.reduce((sum, file) => sum + firstOfEachPrompt(file).length, 0);
}

interface SemanticPassOptions extends PairSearchOptions {
  /** False: every pair the cosine finds is reported (the bench measures the near-miss stage's effect). */
  readonly nearMisses?: boolean;
}

export async function semanticFindings(
  files: readonly SemanticFile[],
  config: ResolvedConfig,
  embed: Embed,
  /** How pairs are searched (tests force the index on small data). */
  search: SemanticPassOptions = {},
): Promise<Map<string, Finding[]>> {
  const judge: PairJudge = async (pairs) =>
    search.nearMisses === false ? pairs.map(() => undefined) : nearMisses(pairs, embed);
  const nearSeverity = severity(config, SEMANTIC_NEAR_DUPLICATE);
  const conflictSeverity = severity(config, SEMANTIC_CONFLICT);
  const workspace = crossFile(config, search, judge);
  const byFile = new Map<string, Finding[]>();
  if (!nearSeverity && !conflictSeverity && !workspace.on) return byFile;
  const { threshold, answerThreshold } = config.semantic;
  const reported = reportedPairs(files);
  const push = (file: string, finding: Finding): void => {
    let list = byFile.get(file);
    if (!list) byFile.set(file, (list = []));
    list.push(finding);
  };

  const prompts = await embed(files.flatMap((f) => f.examples.map((e) => e.prompt)));
  const vectors: Float32Array[][] = [];
  let at = 0;
  for (const f of files) vectors.push(prompts.slice(at, (at += f.examples.length)));

  // Copies of a prompt are consistency/duplicate's: only each prompt's first example is compared, which
  // also keeps a file of many copies from costing the square of its length.
  const firsts = files.map(firstOfEachPrompt);

  // Within each file: each example against its most similar earlier one.
  let pairs: { file: number; a: number; b: number; cosine: number }[] = [];
  if (nearSeverity || conflictSeverity) {
    for (const [fi, f] of files.entries()) {
      if (f.compareWithin === false) continue;
      const candidates = firsts[fi]!;
      const matches = await bestEarlier(
        candidates.map((index) => vectors[fi]![index]!),
        threshold,
        search,
      );
      matches.forEach((match, j) => {
        if (!match) return;
        const [best, b] = [candidates[match.index]!, candidates[j]!];
        const [ea, eb] = [f.examples[best]!, f.examples[b]!];
        if (reported.has(f.file, ea.line, eb.line)) return;
        // The same prompt, to the letter: consistency/duplicate or consistency/conflict's case.
        if (normalised(ea.prompt) === normalised(eb.prompt)) return;
        pairs.push({ file: fi, a: best, b, cosine: match.cosine });
      });
    }
  }
  const prompt = (p: (typeof pairs)[number]) =>
    [files[p.file]!.examples[p.a]!.prompt, files[p.file]!.examples[p.b]!.prompt] as const;
  const missed = await judge(pairs.map(prompt));
  pairs = pairs.filter((_, i) => missed[i] === undefined);
  const answered = pairs.filter(
    (p) =>
      files[p.file]!.examples[p.a]!.answer !== undefined &&
      files[p.file]!.examples[p.b]!.answer !== undefined,
  );
  const answers = conflictSeverity
    ? await embed(
        answered.flatMap((p) => [
          files[p.file]!.examples[p.a]!.answer!,
          files[p.file]!.examples[p.b]!.answer!,
        ]),
      )
    : [];
  const answerCosine = new Map<(typeof pairs)[number], number>();
  answered.forEach((p, i) => {
    if (answers.length) answerCosine.set(p, dot(answers[2 * i]!, answers[2 * i + 1]!));
  });
  for (const p of pairs) {
    const f = files[p.file]!;
    const [ea, eb] = [f.examples[p.a]!, f.examples[p.b]!];
    const answersCosine = answerCosine.get(p);
    const related = (message: string) => [{ range: ea.range, message }];
    if (conflictSeverity && answersCosine !== undefined && answersCosine < answerThreshold) {
      push(f.file, {
        code: SEMANTIC_CONFLICT.code,
        severity: conflictSeverity,
        message: `Asks what line ${ea.line + 1} asks (cosine ${p.cosine.toFixed(2)}) but is answered differently (answers' cosine ${answersCosine.toFixed(2)})`,
        range: eb.range,
        related: related('The same question, answered differently'),
      });
    } else if (nearSeverity) {
      push(f.file, {
        code: SEMANTIC_NEAR_DUPLICATE.code,
        severity: nearSeverity,
        message: `Means the same as line ${ea.line + 1} (cosine ${p.cosine.toFixed(2)})`,
        range: eb.range,
        related: related('The example with the same meaning'),
      });
    }
  }

  // Across the split: the workspace checkers, fed each example's prompt embedding.
  if (workspace.on) {
    files.forEach((f, fi) => {
      if (!f.role) return;
      f.examples.forEach((example, i) =>
        workspace.addExample(f.file, f.role!, example.line, {
          vector: vectors[fi]![i]!,
          prompt: example.prompt,
          line: example.line,
          range: example.range,
        }),
      );
    });
    for (const [file, list] of await workspace.report(() => undefined, crossFileFindings(files)))
      for (const finding of list) push(file, finding);
  }
  return byFile;
}
