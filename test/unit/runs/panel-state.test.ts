/** What a panel saved before a reload is untrusted input: the serializers revive only valid state. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isComparePanelState, isRunPanelState } from '../../../src/shared/webview-protocol.ts';

test('a compare panel revives from its saved run ids', () => {
  assert.equal(isComparePanelState({ runIds: ['2026-01-01T10-00-00-abc123', 'run.2'] }), true);
});

test('a compare panel state with no ids, a non-string, or a path for an id is refused', () => {
  for (const state of [
    undefined,
    {},
    { runIds: [] },
    { runIds: 'a' },
    { runIds: ['a', 3] },
    { runIds: ['a', '../../etc'] },
    { runIds: ['a/b'] },
    { runIds: ['..'] },
    { runIds: ['.'] },
  ])
    assert.equal(isComparePanelState(state), false, JSON.stringify(state));
});

test('a run panel state names one run id, never a path', () => {
  assert.equal(isRunPanelState({ runId: 'r-1' }), true);
  assert.equal(isRunPanelState({ runId: '../r-1' }), false);
  assert.equal(isRunPanelState({ runId: '..' }), false);
});
