/**
 * The semantic rules on the hand-written paraphrase set (test/fixtures/semantic/paraphrases.json) with
 * the real model through the embedding worker, RuleTester-style: each pair is a two-example file, and
 * the findings of the codes under test are what is asserted. Needs the model
 * (scripts/setup-embedding-model.sh; test/embedding-model.ts). The MinHash check runs without it.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, resolveConfig, type ResolvedConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import type { Finding } from '../../../src/core/engine/types.ts';
import { ALL_CHECKERS } from '../../../src/core/rules/index.ts';
import type { Embed } from '../../../src/core/semantic/cache.ts';
import { semanticExample, type SemanticExample } from '../../../src/core/semantic/examples.ts';
import { semanticFindings, type SemanticFile } from '../../../src/core/semantic/pass.ts';
import { EmbeddingWorker } from '../../../src/core/semantic/worker-client.ts';
import { embeddingModel, skipWithout } from '../../embedding-model.ts';
import { LinePass } from '../../../src/core/engine/linter.ts';

interface ParaphraseSet {
  paraphrases: [string, string][];
  nearMisses: [string, string][];
}
const readSet = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/semantic/${name}.json`, import.meta.url), 'utf8'),
  ) as ParaphraseSet;
/** The set the threshold and the near-miss stage were tuned on. */
const SET = readSet('paraphrases');
/** Written before the near-miss stage was tuned, never used to tune it (docs/benchmarks.md). */
const HELD_OUT = readSet('paraphrases-held-out');

function chat(prompt: string, answer?: string): string {
  const messages = [{ role: 'user', content: prompt }];
  if (answer !== undefined) messages.push({ role: 'assistant', content: answer });
  return JSON.stringify({ messages });
}

/** A file of JSONL lines as the CLI hands it to the pass: its examples and its lexical findings. */
function file(
  name: string,
  lines: string[],
  config: ResolvedConfig,
  role?: 'train' | 'validation',
): SemanticFile {
  const pass = new LinePass(config, ALL_CHECKERS);
  const examples = lines
    .map((text, line) => semanticExample(pass.context({ line, text, eol: '\n' })))
    .filter((e): e is SemanticExample => e !== undefined);
  return { file: name, role, examples, lexical: lintText(lines.join('\n') + '\n', config, ALL_CHECKERS) };
}

/** The first prompt of each pair in a training file, the second in a validation file. */
function splitFiles(pairs: readonly (readonly [string, string])[]): SemanticFile[] {
  return [
    file(
      'set.train.jsonl',
      pairs.map(([a]) => chat(a)),
      DEFAULT_CONFIG,
      'train',
    ),
    file(
      'set.val.jsonl',
      pairs.map(([, b]) => chat(b)),
      DEFAULT_CONFIG,
      'validation',
    ),
  ];
}

function codes(findings: Map<string, Finding[]>, code: string): Finding[] {
  return [...findings.values()].flat().filter((f) => f.code === code);
}

describe('the paraphrase sets', () => {
  it('have at least 40 pairs of each kind, none of which MinHash (consistency/near-duplicate) reports', () => {
    for (const set of [SET, HELD_OUT]) assert.ok(set.paraphrases.length >= 40 && set.nearMisses.length >= 40);
    const reported = [SET, HELD_OUT]
      .flatMap((set) => [...set.paraphrases, ...set.nearMisses])
      .filter(([a, b]) =>
        lintText(
          `${chat(a, 'Same answer.')}\n${chat(b, 'Same answer.')}\n`,
          DEFAULT_CONFIG,
          ALL_CHECKERS,
        ).some((f) => f.code === 'consistency/near-duplicate' || f.code === 'consistency/duplicate'),
      );
    assert.deepEqual(reported, []);
  });
});

describe('semantic rules with the model', { skip: skipWithout() }, () => {
  let worker: EmbeddingWorker;
  let embed: Embed;
  before(async () => {
    worker = new EmbeddingWorker(embeddingModel!);
    await worker.ready;
    embed = (texts) => worker.embed(texts);
  });
  after(() => worker?.dispose());

  /** Pairs of `pairs` that semantic/near-duplicate reports, each pair linted as a file of its own. */
  async function found(pairs: [string, string][], config = DEFAULT_CONFIG): Promise<[string, string][]> {
    const files = pairs.map(([a, b], i) => file(`pair-${i}.jsonl`, [chat(a), chat(b)], config));
    const findings = await semanticFindings(files, config, embed);
    return pairs.filter((_, i) =>
      findings.get(`pair-${i}.jsonl`)?.some((f) => f.code === 'semantic/near-duplicate'),
    );
  }

  // What all-MiniLM-L6-v2 (int8) and the near-miss stage give (docs/benchmarks.md, "Near-miss stage").
  // On the tuning set every near-miss is silent both at the default threshold, 0.82 (31 of 42
  // paraphrases found), and at 0.68 (41 found; the cosine alone reports 22 near-misses there). 0.68 is
  // not the default because of what it adds on real data. The held-out set's bounds are what it
  // measured: they catch a regression, they are not a target the stage was tuned to.
  const LOOSE = resolveConfig({ semantic: { threshold: 0.68 } }).config;

  it('finds the paraphrase pairs: 31 of 42 at the default threshold, 41 at 0.68', async () => {
    const hits = await found(SET.paraphrases);
    assert.ok(hits.length >= 31, `found ${hits.length} of ${SET.paraphrases.length}`);
    const loose = await found(SET.paraphrases, LOOSE);
    assert.ok(loose.length >= 41, `found ${loose.length} of ${SET.paraphrases.length} at 0.68`);
  });

  it('keeps every near-miss silent, at the default threshold and at 0.68', async () => {
    assert.deepEqual(await found(SET.nearMisses), []);
    assert.deepEqual(await found(SET.nearMisses, LOOSE), []);
  });

  it('on the held-out set, finds the paraphrases and keeps the near-misses silent as measured', async () => {
    const hits = await found(HELD_OUT.paraphrases);
    assert.ok(hits.length >= 26, `found ${hits.length} of ${HELD_OUT.paraphrases.length}`);
    const reported = await found(HELD_OUT.nearMisses);
    assert.ok(reported.length <= 1, `reported ${reported.length}: ${JSON.stringify(reported)}`);
    const loose = await found(HELD_OUT.paraphrases, LOOSE);
    assert.ok(loose.length >= 41, `found ${loose.length} of ${HELD_OUT.paraphrases.length} at 0.68`);
    const looseReported = await found(HELD_OUT.nearMisses, LOOSE);
    assert.ok(looseReported.length <= 4, `reported ${looseReported.length} at 0.68`);
  });

  it('leaves a near-miss silent as a split/semantic-leak too', async () => {
    const pairs = [SET.nearMisses[30]!, SET.nearMisses[40]!]; // turn on / off dark mode, when / why
    const files = splitFiles(pairs);
    assert.deepEqual(await semanticFindings(files, DEFAULT_CONFIG, embed), new Map());
  });

  it('reports the later example with the earlier one related, and nothing at a threshold of 1', async () => {
    const config = DEFAULT_CONFIG;
    const lines = [
      chat('What is the capital of France?'),
      chat('Tell me a joke about cats.'),
      chat("Which city is France's capital?"),
    ];
    const findings = await semanticFindings([file('a.jsonl', lines, config)], config, embed);
    const [finding, ...rest] = codes(findings, 'semantic/near-duplicate');
    assert.equal(rest.length, 0);
    assert.equal(finding!.range.start.line, 2);
    assert.equal(finding!.related![0]!.range.start.line, 0);
    assert.match(finding!.message, /^Means the same as line 1 \(cosine 0\.\d\d\)$/);
    const strict = resolveConfig({ semantic: { threshold: 1 } }).config;
    assert.deepEqual(await semanticFindings([file('a.jsonl', lines, strict)], strict, embed), new Map());
  });

  it('leaves pairs MinHash already reports to consistency/near-duplicate', async () => {
    const question =
      'How do I reset the password of my account on the company website when the reset email never arrives in my inbox or spam folder?';
    const lines = [chat(question, 'Use the link.'), chat(`${question} Please help.`, 'Use the link.')];
    const linted = file('a.jsonl', lines, DEFAULT_CONFIG);
    assert.ok(
      linted.lexical.some((f) => f.code === 'consistency/near-duplicate'),
      'MinHash reports the pair',
    );
    assert.deepEqual(await semanticFindings([linted], DEFAULT_CONFIG, embed), new Map());
  });

  it('semantic/conflict: prompts that mean the same, answers that do not', async () => {
    const lines = [
      chat('What is the capital of France?', 'Paris is the capital of France.'),
      chat("Which city is France's capital?", 'I cannot help with that request.'),
      chat('How tall is Mount Everest?', 'Mount Everest is about 8,849 metres tall.'),
      chat('What is the height of Mount Everest?', 'Mount Everest is roughly 8,849 metres high.'),
    ];
    const findings = await semanticFindings([file('a.jsonl', lines, DEFAULT_CONFIG)], DEFAULT_CONFIG, embed);
    const conflicts = codes(findings, 'semantic/conflict');
    assert.deepEqual(
      conflicts.map((f) => f.range.start.line),
      [1],
    );
    assert.equal(conflicts[0]!.severity, 'warning');
    assert.deepEqual(
      codes(findings, 'semantic/near-duplicate').map((f) => f.range.start.line),
      [3],
    );
  });

  it('split/semantic-leak: a validation example that means the same as a training example', async () => {
    const train = file(
      'faq.train.jsonl',
      [
        chat('How can I cancel my subscription?', 'Settings > Billing.'),
        chat('Why is the sky blue?', 'Rayleigh scattering.'),
      ],
      DEFAULT_CONFIG,
      'train',
    );
    const validation = file(
      'faq.val.jsonl',
      [
        chat('Tell me a joke about cats.', 'No.'),
        chat('I want to stop my subscription, how do I do that?', 'Billing.'),
      ],
      DEFAULT_CONFIG,
      'validation',
    );
    const findings = await semanticFindings([train, validation], DEFAULT_CONFIG, embed);
    const leaks = codes(findings, 'split/semantic-leak');
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0]!.range.start.line, 1);
    assert.deepEqual(leaks[0]!.related![0]!.file, 'faq.train.jsonl');
    assert.equal(leaks[0]!.related![0]!.range.start.line, 0);
    assert.deepEqual([...findings.keys()], ['faq.val.jsonl']);
  });

  // The whole set in one file (and split into train/validation), as every pair compared and through the
  // IVF index (forced: the set is under the exact search's size): the same findings, to the message.
  it('finds the same on the paraphrase set through the pair index as comparing every pair', async () => {
    const pairs = [...SET.paraphrases, ...SET.nearMisses];
    const lines = pairs.flatMap(([a, b]) => [chat(a, 'Answer A.'), chat(b, 'Answer B.')]);
    const files = [file('all.jsonl', lines, DEFAULT_CONFIG), ...splitFiles(pairs)];
    const exact = await semanticFindings(files, DEFAULT_CONFIG, embed, { exactPairs: Infinity });
    const indexed = await semanticFindings(files, DEFAULT_CONFIG, embed, { exactPairs: 0 });
    assert.ok(
      codes(exact, 'semantic/near-duplicate').length + codes(exact, 'semantic/conflict').length >= 31,
    );
    assert.ok(codes(exact, 'split/semantic-leak').length >= 31);
    assert.deepEqual(indexed, exact);
  });
});
