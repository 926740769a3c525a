/**
 * The semantic pass's decisions, on embeddings given by hand (runs without the model; rules.test.ts
 * runs the same pass on the real model): each example against its most similar earlier one, conflict
 * below `semantic.answerThreshold`, pairs the lexical rules already link left alone, leaks across the
 * split, severities and `off`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import type { Finding, Range } from '../../../src/core/engine/types.ts';
import type { Embed } from '../../../src/core/semantic/cache.ts';
import { semanticFindings, type SemanticFile } from '../../../src/core/semantic/pass.ts';

/** Unit vectors in 2-D by angle: cos(a - b) is the pair's cosine. */
const ANGLES = new Map<string, number>();
const embed: Embed = (texts) =>
  Promise.resolve(
    texts.map((text) => {
      const angle = ANGLES.get(text);
      assert.ok(angle !== undefined, `no vector for ${text}`);
      return Float32Array.of(Math.cos(angle), Math.sin(angle));
    }),
  );
/** An angle whose cosine with angle 0 is `cosine`. */
const at = (cosine: number): number => Math.acos(cosine);

function range(line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: 10 } };
}
function file(
  name: string,
  examples: [string, string?][],
  role?: 'train' | 'validation',
  lexical: Finding[] = [],
): SemanticFile {
  return {
    file: name,
    role,
    examples: examples.map(([prompt, answer], line) => ({ line, prompt, answer, range: range(line) })),
    lexical,
  };
}
const summary = (findings: Map<string, Finding[]>): string[] =>
  [...findings].flatMap(([name, list]) =>
    list.map(
      (f) =>
        `${name}:${f.range.start.line} ${f.code} ${f.severity} -> ${f.related?.[0]?.file ?? name}:${f.related?.[0]?.range.start.line}`,
    ),
  );

describe('semanticFindings', () => {
  ANGLES.set('q0', 0).set('q1', at(0.9)).set('q2', at(0.95)).set('q3', at(-0.5)).set('q4', -at(0.5));
  ANGLES.set('a0', 0).set('a1', at(0.9)).set('a2', at(0.3)).set('Q0 ', 0).set('q0 copy', at(0.99));

  it('reports each example against its most similar earlier one at or above the threshold', async () => {
    const findings = await semanticFindings(
      [file('a', [['q0'], ['q3'], ['q1'], ['q2'], ['q4']])],
      DEFAULT_CONFIG,
      embed,
    );
    // q2 is nearer q1 (cos 0.995) than q0 (0.95); q4 (cos 0.5 with q0, less with the rest) and q3 are below.
    assert.deepEqual(summary(findings), [
      'a:2 semantic/near-duplicate info -> a:0',
      'a:3 semantic/near-duplicate info -> a:2',
    ]);
  });

  it('semantic/conflict when the answers are below answerThreshold, near-duplicate otherwise', async () => {
    const files = [
      file('a', [
        ['q0', 'a0'],
        ['q1', 'a2'],
        ['q2', 'a1'],
      ]),
    ];
    assert.deepEqual(summary(await semanticFindings(files, DEFAULT_CONFIG, embed)), [
      'a:1 semantic/conflict warning -> a:0',
      'a:2 semantic/near-duplicate info -> a:1',
    ]);
    const lenient = resolveConfig({ semantic: { answerThreshold: 0.2 } }).config;
    assert.deepEqual(summary(await semanticFindings(files, lenient, embed)), [
      'a:1 semantic/near-duplicate info -> a:0',
      'a:2 semantic/near-duplicate info -> a:1',
    ]);
  });

  it('leaves pairs the lexical rules link, and prompts equal to the letter', async () => {
    const minhash: Finding = {
      code: 'consistency/near-duplicate',
      severity: 'info',
      message: '',
      range: range(1),
      related: [{ range: range(0), message: '' }],
    };
    const linked = file('a', [['q0'], ['q0 copy']], undefined, [minhash]);
    assert.deepEqual(summary(await semanticFindings([linked], DEFAULT_CONFIG, embed)), []);
    const unlinked = file('a', [['q0'], ['q0 copy']]);
    assert.equal(summary(await semanticFindings([unlinked], DEFAULT_CONFIG, embed)).length, 1);
    assert.deepEqual(
      summary(await semanticFindings([file('a', [['q0'], ['Q0 ']])], DEFAULT_CONFIG, embed)),
      [],
    );
  });

  it('leaves every pair of a lexical cluster, its members past the 20 linked too', async () => {
    // 25 paraphrases, each nearest the one before it (cosine 0.9999): one lexical cluster whose
    // finding links 20 of them; the 4 unlisted ones (21-24) pair with each other and with 20.
    const prompts = Array.from({ length: 25 }, (_, i) => `paraphrase ${i}`);
    prompts.forEach((prompt, i) => ANGLES.set(prompt, i * 0.01));
    const cluster: Finding = {
      code: 'consistency/near-duplicate',
      severity: 'info',
      message: 'Near-duplicates: 25 examples (…)',
      range: range(0),
      related: Array.from({ length: 20 }, (_, i) => ({ range: range(i + 1), message: '' })),
      data: { clusterSize: 25, clusterLines: Uint32Array.from(prompts.keys()) },
    };
    const examples = prompts.map((prompt): [string] => [prompt]);
    const pass = (lexical: Finding[]) =>
      semanticFindings([file('a', examples, undefined, lexical)], DEFAULT_CONFIG, embed, {
        nearMisses: false,
      });
    assert.deepEqual(summary(await pass([cluster])), []);
  });

  it('split/semantic-leak: validation against training, unless split/leakage says it already', async () => {
    const train = file('t.train.jsonl', [['q3'], ['q1']], 'train');
    const validation = file('t.val.jsonl', [['q4'], ['q0']], 'validation');
    assert.deepEqual(summary(await semanticFindings([train, validation], DEFAULT_CONFIG, embed)), [
      't.val.jsonl:1 split/semantic-leak warning -> t.train.jsonl:1',
    ]);
    const leakage: Finding = {
      code: 'split/leakage',
      severity: 'warning',
      message: '',
      range: range(1),
      related: [{ file: 't.train.jsonl', range: range(1), message: '' }],
    };
    const reported = { ...validation, lexical: [leakage] };
    assert.deepEqual(summary(await semanticFindings([train, reported], DEFAULT_CONFIG, embed)), []);
  });

  it('codes turned off are not reported, and all off embeds nothing', async () => {
    const files = [
      file('a', [
        ['q0', 'a0'],
        ['q1', 'a2'],
      ]),
    ];
    const noConflict = resolveConfig({ rules: { 'semantic/conflict': 'off' } }).config;
    assert.deepEqual(summary(await semanticFindings(files, noConflict, embed)), [
      'a:1 semantic/near-duplicate info -> a:0',
    ]);
    const off = resolveConfig({ rules: { semantic: 'off', split: 'off' } }).config;
    const refuse: Embed = () => Promise.reject(new Error('embedded while off'));
    assert.deepEqual(await semanticFindings(files, off, refuse), new Map());
  });
});
