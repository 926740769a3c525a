import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { buildSchema } from '../../../src/core/engine/config-schema.ts';
import { DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import { ALL_RULES } from '../../../src/core/rules/index.ts';

const schemaFile = JSON.parse(
  readFileSync(new URL('../../../schemas/tunesmith.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const validate = new Ajv({ strict: false }).compile(schemaFile);

test('the schema file is the one generated from DEFAULT_CONFIG and ALL_RULES (run `npm run schema`)', () => {
  assert.deepEqual(schemaFile, JSON.parse(JSON.stringify(buildSchema(ALL_RULES))));
});

test('DEFAULT_CONFIG validates against the schema', () => {
  assert.equal(validate(DEFAULT_CONFIG), true, JSON.stringify(validate.errors));
});

test('every DEFAULT_CONFIG key is described in the schema, with its default', () => {
  const walk = (value: unknown, schema: Record<string, unknown>, path: string): void => {
    assert.ok(schema, `${path} is missing from the schema`);
    assert.deepEqual(schema['default'], value, `${path}: schema default differs from DEFAULT_CONFIG`);
    assert.equal(typeof schema['description'], 'string', `${path} has no description`);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && path !== 'rules') {
      const properties = schema['properties'] as Record<string, Record<string, unknown>>;
      for (const [key, child] of Object.entries(value)) walk(child, properties[key]!, `${path}.${key}`);
    }
  };
  const properties = schemaFile['properties'] as Record<string, Record<string, unknown>>;
  for (const [key, value] of Object.entries(DEFAULT_CONFIG)) walk(value, properties[key]!, key);
});

test('the schema rejects wrong types and unknown keys', () => {
  const bad: unknown[] = [
    { maxLineLength: 'long' },
    { maxLineLength: -1 },
    { files: { include: 'data/*.jsonl' } },
    { rules: { pii: 'loud' } },
    { rules: { 'pii/not-a-rule': 'error' } },
    { tokens: { tokenizer: 'gpt2' } },
    { consistency: { nearDuplicateThreshold: 1.5 } },
    { chat: { allowedRoles: [1, 2] } },
    { maxLineLenght: 10 },
  ];
  for (const config of bad) assert.equal(validate(config), false, `accepted ${JSON.stringify(config)}`);
  assert.equal(validate({ rules: { pii: 'off' }, tokens: { tokenizer: { tokenizerJson: 't.json' } } }), true);
});

test('every rule code is a property of rules, with its default severity', () => {
  const rules = (schemaFile['properties'] as Record<string, Record<string, unknown>>)['rules']!;
  const properties = rules['properties'] as Record<string, Record<string, unknown>>;
  for (const rule of ALL_RULES)
    assert.equal(properties[rule.code]?.['default'], rule.defaultSeverity, rule.code);
});
