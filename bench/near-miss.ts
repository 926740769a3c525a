/**
 * The semantic rules' two stages on the paraphrase sets, run by `npm run bench:semantic -- --only
 * near-miss`: for each set (test/fixtures/semantic/paraphrases.json, the one the second stage was tuned
 * on, and paraphrases-held-out.json, written before it and never used to tune it), the paraphrases
 * found and the near-misses kept silent by the first stage alone (the prompts' cosine at or above a
 * threshold) and with the second (src/core/semantic/near-miss.ts), over a range of thresholds; then the
 * second stage's cost per candidate pair with nothing cached; then the semantic findings on
 * test/fixtures/real-data with and without the second stage, at the default threshold and at 0.68.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { DEFAULT_CONFIG, resolveConfig } from '../src/core/engine/config.ts';
import { LinePass, lintText } from '../src/core/engine/linter.ts';
import { ALL_CHECKERS } from '../src/core/rules/index.ts';
import { semanticExample, type SemanticExample } from '../src/core/semantic/examples.ts';
import { semanticFindings, type SemanticFile } from '../src/core/semantic/pass.ts';
import { Embedder } from '../src/core/semantic/embedder.ts';
import { defaultModelDir, findEmbeddingModel } from '../src/core/semantic/model.ts';
import { nearMisses } from '../src/core/semantic/near-miss.ts';
import { dot } from '../src/core/semantic/vectors.ts';

interface ParaphraseSet {
  paraphrases: [string, string][];
  nearMisses: [string, string][];
}

const SETS = ['paraphrases', 'paraphrases-held-out'].map((name) => ({
  name,
  set: JSON.parse(
    readFileSync(new URL(`../test/fixtures/semantic/${name}.json`, import.meta.url), 'utf8'),
  ) as ParaphraseSet,
}));
const THRESHOLDS = [0.6, 0.65, 0.68, 0.7, 0.74, 0.78, 0.82, 0.86];

export async function nearMissBench(options: { verbose?: boolean } = {}): Promise<void> {
  const files = findEmbeddingModel(defaultModelDir());
  if (!files)
    throw new Error(`no embedding model in ${defaultModelDir()} (scripts/setup-embedding-model.sh)`);
  const embedder = await Embedder.load(files);
  const embed = (texts: readonly string[]) => embedder.embed(texts);
  const defaultThreshold = DEFAULT_CONFIG.semantic.threshold;
  console.log(
    `near-miss stage, load average ${loadavg()[0]!.toFixed(1)}; default threshold ${defaultThreshold}`,
  );
  for (const { name, set } of SETS) {
    const score = async (pairs: [string, string][]) => {
      const vectors = await embed(pairs.flat());
      const cosines = pairs.map((_, i) => dot(vectors[2 * i]!, vectors[2 * i + 1]!));
      return { cosines, reasons: await nearMisses(pairs, embed) };
    };
    const [para, miss] = [await score(set.paraphrases), await score(set.nearMisses)];
    const count = (s: typeof para, t: number, second: boolean) =>
      s.cosines.filter((c, i) => c >= t && !(second && s.reasons[i] !== undefined)).length;
    console.log(`\n${name}: ${set.paraphrases.length} paraphrases, ${set.nearMisses.length} near-misses`);
    console.log('| threshold | found, 1st stage | silent, 1st stage | found, both | silent, both |');
    console.log('| ---: | ---: | ---: | ---: | ---: |');
    for (const t of [...new Set([...THRESHOLDS, defaultThreshold])].sort()) {
      const near = set.nearMisses.length;
      console.log(
        `| ${t === defaultThreshold ? `**${t}**` : t} | ${count(para, t, false)} | ${near - count(miss, t, false)} | ${count(para, t, true)} | ${near - count(miss, t, true)} |`,
      );
    }
    if (options.verbose) {
      const show = (kind: string, s: typeof para, pairs: [string, string][], wrong: (i: number) => boolean) =>
        pairs.forEach(([a, b], i) => {
          if (wrong(i))
            console.log(`  ${kind} ${s.cosines[i]!.toFixed(2)} ${s.reasons[i] ?? '-'} | ${a} / ${b}`);
        });
      const t = defaultThreshold;
      show(
        'missed paraphrase',
        para,
        set.paraphrases,
        (i) => para.cosines[i]! < t || para.reasons[i] !== undefined,
      );
      show(
        'reported near-miss',
        miss,
        set.nearMisses,
        (i) => miss.cosines[i]! >= t && miss.reasons[i] === undefined,
      );
    }
  }

  // Cost: the candidate pairs of both sets, the spans embedded with nothing cached.
  const pairs = SETS.flatMap(({ set }) => [...set.paraphrases, ...set.nearMisses]);
  const start = performance.now();
  for (let round = 0; round < 3; round++) await nearMisses(pairs, embed);
  const perPair = (performance.now() - start) / 3 / pairs.length;
  console.log(
    `\nsecond stage: ${perPair.toFixed(2)} ms per candidate pair (${pairs.length} pairs, nothing cached)`,
  );

  // Real data: the semantic findings of each configuration, by code.
  const dir = new URL('../test/fixtures/real-data/', import.meta.url);
  const names = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  const real = (config: typeof DEFAULT_CONFIG): SemanticFile[] =>
    names.map((name) => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const pass = new LinePass(config, ALL_CHECKERS);
      const examples = text
        .split('\n')
        .map((line, index) => semanticExample(pass.context({ line: index, text: line, eol: '\n' })))
        .filter((e): e is SemanticExample => e !== undefined);
      return { file: name, role: undefined, examples, lexical: lintText(text, config, ALL_CHECKERS) };
    });
  console.log(`\ntest/fixtures/real-data (${names.length} files): semantic findings`);
  console.log('| threshold | second stage | near-duplicate | conflict |\n| ---: | --- | ---: | ---: |');
  for (const threshold of [0.68, defaultThreshold]) {
    const config = resolveConfig({ semantic: { threshold } }).config;
    for (const second of [false, true]) {
      const findings = await semanticFindings(real(config), config, embed, { nearMisses: second });
      const found = [...findings.values()].flat();
      const count = (code: string) => found.filter((f) => f.code === code).length;
      console.log(
        `| ${threshold} | ${second ? 'on' : 'off'} | ${count('semantic/near-duplicate')} | ${count('semantic/conflict')} |`,
      );
    }
  }
  await embedder.dispose();
}
