/** The editor settings mirror tunesmith.json key for key, and merge over it as documented. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSettings } from '../../src/core/engine/config-schema.ts';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/core/engine/config.ts';
import { SETTING_KEYS, mergeSettings, nest } from '../../src/shared/settings.ts';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
};
/**
 * Settings of the editor alone, never read from tunesmith.json: a file in a cloned repository must
 * not choose which program the editor runs.
 */
const EDITOR_ONLY = new Set(['tunesmith.pythonPath', 'tunesmith.evaluation.inlineResults']);
const properties = Object.fromEntries(
  Object.entries(manifest.contributes.configuration.properties).filter(([key]) => !EDITOR_ONLY.has(key)),
);

test('every setting is a tunesmith.json key, with the same default', () => {
  assert.deepEqual(Object.keys(properties).sort(), SETTING_KEYS.map((key) => `tunesmith.${key}`).sort());
  const defaults = nest(new Map(SETTING_KEYS.map((key) => [key, properties[`tunesmith.${key}`]!.default])));
  assert.deepEqual(resolveConfig(defaults).config, DEFAULT_CONFIG);
});

test("the manifest's tunesmith.json settings are the generated ones (run `npm run schema`)", () => {
  assert.deepEqual(properties, buildSettings());
});

test('settings merge over the file key by key; rules combine', () => {
  const file = {
    rules: { pii: 'off', 'format/drift': 'error' },
    tokens: { max: 2048, tokenizer: 'cl100k_base' },
  };
  const settings = nest(
    new Map<string, unknown>([
      ['rules', { pii: 'warning' }],
      ['tokens.max', 8192],
    ]),
  );
  assert.deepEqual(mergeSettings(file, settings), {
    rules: { pii: 'warning', 'format/drift': 'error' },
    tokens: { max: 8192, tokenizer: 'cl100k_base' },
  });
  assert.deepEqual(mergeSettings(undefined, settings), settings);
  assert.deepEqual(mergeSettings(file, undefined), file);
});
