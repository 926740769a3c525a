/** `resolveConfig` reads every declared option with the guard declared beside its JSON Schema. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/core/engine/config.ts';
import { optionPaths } from '../../src/core/engine/options.ts';
import { FAMILY_NAMES, OPTIONS } from '../../src/core/rules/declarations.ts';
import { ALL_RULES } from '../../src/core/rules/index.ts';
import { nest } from '../../src/shared/settings.ts';

const ajv = new Ajv({ strict: false });

test('a mistyped value falls back to its default, with a warning naming the key and what was expected', () => {
  const wrong = new Map(optionPaths(OPTIONS).map(([path]) => [path, { wrong: true }] as [string, unknown]));
  const { config, problems } = resolveConfig(nest(wrong));
  assert.deepEqual(config, DEFAULT_CONFIG);
  assert.deepEqual(
    problems,
    optionPaths(OPTIONS).map(([path, option]) => `${path}: expected ${option.expected}; using the default`),
  );
  // The wording users have seen, from before the options were declared.
  for (const message of [
    'files.include: expected an array of globs; using the default',
    'maxLineLength: expected a positive number; using the default',
    'consistency.nearDuplicateThreshold: expected a number in (0, 1]; using the default',
    'pii.defaultPhoneRegion: expected a region code such as "US"; using the default',
    'tokens.tokenizer: expected "o200k_base", "cl100k_base" or {"tokenizerJson": path}; using the default',
  ])
    assert.ok(problems.includes(message), message);
});

test('values of the right type are taken; a section that is not an object is ignored', () => {
  const { config, problems } = resolveConfig({
    tokens: { max: 512, tokenizer: { tokenizerJson: 'tok.json', note: 'kept out' } },
    consistency: 'strict',
    pii: { allow: [] },
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(config.tokens, {
    ...DEFAULT_CONFIG.tokens,
    max: 512,
    tokenizer: { tokenizerJson: 'tok.json' },
  });
  assert.deepEqual(config.consistency, DEFAULT_CONFIG.consistency);
  assert.deepEqual(config.pii, { ...DEFAULT_CONFIG.pii, allow: [] });
});

test("each option's guard accepts what its schema accepts, and what it reads satisfies the schema", () => {
  const candidates = fc.oneof(
    fc.jsonValue(),
    fc.array(fc.string()),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom('o200k_base', 'cl100k_base', '', 'US'),
    fc.record({ tokenizerJson: fc.string() }),
  );
  for (const [path, declaration] of optionPaths(OPTIONS)) {
    const validate = ajv.compile(declaration.schema);
    assert.notEqual(declaration.read(declaration.default), undefined, `${path}: default rejected`);
    fc.assert(
      fc.property(candidates, (value) => {
        const read = declaration.read(value);
        if (validate(value))
          assert.notEqual(read, undefined, `${path}: schema accepts ${JSON.stringify(value)}`);
        if (read !== undefined)
          assert.ok(validate(read), `${path}: read ${JSON.stringify(read)} fails the schema`);
      }),
    );
  }
});

test('every declared family has rules in the registry, and every code starts with its family', () => {
  const families = new Set(ALL_RULES.map((rule) => rule.family));
  assert.deepEqual(
    FAMILY_NAMES.filter((family) => !families.has(family)),
    [],
  );
  for (const rule of ALL_RULES) assert.ok(rule.code.startsWith(`${rule.family}/`), rule.code);
});
