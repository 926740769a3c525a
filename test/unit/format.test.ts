import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes } from '../../src/shared/format.ts';

test('sizes are shown in binary units with one decimal, as torch and nvidia-smi count them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(319_320), '311.8 KiB');
  assert.equal(formatBytes(6.8 * 1024 ** 2), '6.8 MiB');
  assert.equal(formatBytes(80 * 1024 ** 3), '80.0 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
});
