import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { piiCheckers } from '../../../src/core/rules/pii/index.ts';
import { secretsCheckers } from '../../../src/core/rules/secrets/index.ts';
import { tokensCheckers } from '../../../src/core/rules/tokens/index.ts';

test('every pii, secrets and tokens code has a docs page with the four sections', () => {
  const rules = [...piiCheckers, ...secretsCheckers, ...tokensCheckers].flatMap((c) => c.rules);
  for (const rule of rules) {
    const path = `docs/rules/${rule.code.replace('/', '-')}.md`;
    assert.ok(existsSync(path), `missing ${path}`);
    const page = readFileSync(path, 'utf8');
    for (const heading of ['## What it does', '## Why it matters', '## Example', '## Fix'])
      assert.ok(page.includes(heading), `${path} lacks "${heading}"`);
  }
});
