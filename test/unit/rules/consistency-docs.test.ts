import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { consistencyCheckers } from '../../../src/core/rules/consistency/index.ts';
import { LEAKAGE } from '../../../src/core/rules/split/index.ts';

test('every consistency and split code has a docs page with the four sections', () => {
  const codes = new Set([...consistencyCheckers.flatMap((c) => c.rules.map((r) => r.code)), LEAKAGE.code]);
  for (const code of codes) {
    const path = new URL(`../../../docs/rules/${code.replace('/', '-')}.md`, import.meta.url);
    assert.ok(existsSync(path), `${code} has no docs page`);
    const text = readFileSync(path, 'utf8');
    for (const heading of ['## What it does', '## Why it matters', '## Example', '## Fix'])
      assert.ok(text.includes(`\n${heading}\n`), `${code}: missing "${heading}"`);
  }
});
