/**
 * The dataset view's statistics on the host (src/extension/dataset/stats.ts): asked of the server
 * when the view opens them, sent again after a change (once per burst), asked again while the
 * server's copy trails the editor's, kept for the token bounds of a filter, and an error said.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/core/engine/config.ts';
import { chartsOfLines } from '../../../src/core/stats/charts.ts';
import { StatsSource, STATS_SETTLE_MS } from '../../../src/extension/dataset/stats.ts';
import type { DatasetHostMessage } from '../../../src/shared/dataset-protocol.ts';
import type { DatasetStatsResult } from '../../../src/shared/protocol.ts';

const LINES = [
  JSON.stringify({ prompt: 'a b c d e f', completion: 'yes' }),
  '',
  JSON.stringify({ prompt: 'a', completion: 'no' }),
];

function setup(versions: number[]) {
  let version = versions.at(-1)!;
  const asked: string[] = [];
  const posted: DatasetHostMessage[] = [];
  const answers = [...versions];
  const request = async (uri: string): Promise<DatasetStatsResult> => {
    asked.push(uri);
    // The listed versions first, then the current one.
    const answered = answers.length > 1 ? answers.shift()! : version;
    const counted = await chartsOfLines(
      'x',
      DEFAULT_CONFIG,
      LINES.length,
      (line) => LINES[line],
      () => [],
    );
    return { version: answered, ...counted! };
  };
  const stats = new StatsSource(
    'file:///x.jsonl',
    request,
    () => version,
    (m) => posted.push(m),
  );
  return { stats, asked, posted, setVersion: (next: number) => (version = next) };
}

test('counted when the view opens them, kept while nothing changes; a stale answer is asked again', async () => {
  const { stats, asked, posted } = setup([4, 5]);
  await stats.show();
  assert.equal(asked.length, 2, 'the server answered for version 4 first: asked again');
  assert.equal(posted.length, 1);
  const message = posted[0]!;
  assert.ok(message.type === 'stats' && message.charts !== null && message.version === 5);
  assert.equal(message.charts.examples, 2);
  const tokens = await stats.tokens();
  assert.equal(asked.length, 2, 'the counts of version 5 are kept');
  assert.ok(tokens!(0, undefined) > tokens!(2, undefined));
  assert.equal(tokens!(1, undefined), -1);
  assert.equal(tokens!(0, 'system'), -1);
  await stats.show();
  assert.equal(posted.length, 2, 'a reloaded view gets the charts again, not counted again');
  assert.equal(asked.length, 2);
  stats.dispose();
});

test('token bounds count without the view showing the charts: nothing is posted', async () => {
  const { stats, posted } = setup([1]);
  assert.ok(await stats.tokens());
  assert.equal(posted.length, 0);
});

test('an error of the server is said to the view', async () => {
  const posted: DatasetHostMessage[] = [];
  const stats = new StatsSource(
    'file:///x.jsonl',
    async () => ({ error: 'Statistics need the file open in the language server.' }),
    () => 1,
    (m) => posted.push(m),
  );
  await stats.show();
  assert.deepEqual(posted, [
    {
      type: 'stats',
      version: 1,
      charts: null,
      message: 'Statistics need the file open in the language server.',
    },
  ]);
  assert.equal(await stats.tokens(), undefined);
});

test('counted again after a change while shown, once per burst; not once the view closed them', async (t) => {
  const { stats, asked, setVersion } = setup([1]);
  await stats.show();
  assert.equal(asked.length, 1);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  setVersion(2);
  stats.changed();
  stats.changed();
  t.mock.timers.tick(STATS_SETTLE_MS - 1);
  await new Promise((done) => setImmediate(done));
  assert.equal(asked.length, 1, 'not before the burst settles');
  t.mock.timers.tick(1);
  await new Promise((done) => setImmediate(done));
  assert.equal(asked.length, 2, 'one count for the burst');
  stats.hide();
  setVersion(3);
  stats.changed();
  t.mock.timers.tick(10 * STATS_SETTLE_MS);
  await new Promise((done) => setImmediate(done));
  assert.equal(asked.length, 2, 'closed: no count');
  t.mock.timers.reset();
  stats.dispose();
});
