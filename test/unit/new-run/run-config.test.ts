/** The webview's run-config validator: current with the trainer's schema, CSP-safe, in plain words. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { validateRunConfig } from '../../../src/shared/run-config.ts';
import { GENERATED_MODULE, validatorSource } from '../../../src/shared/validator-source.ts';

test('the committed validators.generated.ts is generated from the current schemas (npm run schema)', () => {
  assert.equal(readFileSync(GENERATED_MODULE, 'utf8'), validatorSource());
});

test('validators.generated.ts compiles no code at run time (the webview CSP would block it)', () => {
  assert.doesNotMatch(readFileSync(GENERATED_MODULE, 'utf8'), /new Function|\beval\(|require\(/);
});

const valid = {
  model: { path: '/models/tiny' },
  data: { train: 'train.jsonl', max_length: 32 },
  method: { type: 'lora', lora: { r: 16, alpha: 32 } },
  training: { epochs: 3, learning_rate: 5e-3 },
  output: { dir: '.tunesmith/runs/x' },
};

test('a valid config has no errors; each invalid field gets its own plain-words error', () => {
  assert.deepEqual(validateRunConfig(valid), []);
  const errors = validateRunConfig({
    ...valid,
    data: { max_length: 4 },
    method: { type: 'lora', lora: { r: 0, alpha: 32 } },
    training: { epochs: 3, learning_rate: 'abc', batch_size: 2.5, scheduler: 'sideways' },
  });
  assert.deepEqual(errors, [
    { field: 'data.train', message: 'is required' },
    { field: 'data.max_length', message: 'must be at least 8' },
    { field: 'method.lora.r', message: 'must be at least 1' },
    { field: 'training.batch_size', message: 'must be a whole number' },
    { field: 'training.learning_rate', message: 'must be a number' },
    {
      field: 'training.scheduler',
      message: 'must be one of: linear, cosine, constant, constant_with_warmup',
    },
  ]);
});
