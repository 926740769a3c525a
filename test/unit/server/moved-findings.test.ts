/**
 * A dataset finding kept while its checker re-reports moves with its lines: its cluster's lines too,
 * which the semantic pass reads to leave the cluster's pairs alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding, Range } from '../../../src/core/engine/types.ts';
import { provisionalFinding } from '../../../src/server/lsp/moved-findings.ts';

const range = (line: number): Range => ({ start: { line, character: 0 }, end: { line, character: 4 } });

test('a provisional near-duplicate finding moves its cluster lines past the edit', () => {
  const finding: Finding = {
    code: 'consistency/near-duplicate',
    severity: 'info',
    message: 'Near-duplicates: 3 examples (…)',
    range: range(2),
    related: [{ range: range(5), message: '' }],
    data: { clusterSize: 3, clusterLines: Uint32Array.of(2, 5, 9) },
  };
  const moved = provisionalFinding(finding, 4, 3);
  assert.equal(moved.range.start.line, 2);
  assert.equal(moved.related?.[0]?.range.start.line, 8);
  assert.deepEqual([...moved.data!.clusterLines], [2, 8, 12]);
  assert.deepEqual([...finding.data!.clusterLines], [2, 5, 9], 'the original is left as it was');
  assert.equal(moved.data!.clusterSize, 3);
});
