import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ALL_RULES } from '../../src/core/rules/index.ts';

const HEADINGS = ['## What it does', '## Why it matters', '## Example', '## Fix'];

test('every rule code is unique and has a docs page with the four sections', () => {
  const codes = ALL_RULES.map((rule) => rule.code);
  assert.deepEqual(codes, [...new Set(codes)], 'duplicate rule codes');
  const problems: string[] = [];
  for (const rule of ALL_RULES) {
    assert.match(rule.code, /^[a-z]+\/[a-z0-9-]+$/);
    assert.equal(rule.code.split('/')[0], rule.family, `${rule.code} is not in family ${rule.family}`);
    const page = new URL(`../../docs/rules/${rule.code.replace('/', '-')}.md`, import.meta.url);
    if (!existsSync(page)) {
      problems.push(`${rule.code}: no page`);
      continue;
    }
    const text = readFileSync(page, 'utf8');
    for (const heading of HEADINGS)
      if (!text.split('\n').includes(heading)) problems.push(`${rule.code}: no "${heading}"`);
  }
  assert.deepEqual(problems, []);
});
