/**
 * Precision and recall of each pii family on PII_PROBES (Presidio's recognizer vectors, registry
 * examples and issue-14 probes), through the real linter. A finding counts as a true positive when
 * its family and exact text match an expected value on that line; anything else it reports is a
 * false positive, and an expected value it misses is a false negative.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { lintText } from '../../../src/core/engine/linter.ts';
import { piiCheckers } from '../../../src/core/rules/pii/index.ts';
import { PII_PROBES } from './pii-fixtures.ts';

/** Floors per family; docs/benchmarks.md records the figures these are set under. */
const FLOORS: Record<string, { precision: number; recall: number }> = {
  'pii/credit-card': { precision: 1, recall: 1 },
  'pii/iban': { precision: 1, recall: 1 },
  'pii/email': { precision: 1, recall: 1 },
  'pii/phone': { precision: 1, recall: 1 },
  'pii/ip-address': { precision: 1, recall: 1 },
  'pii/us-ssn': { precision: 1, recall: 1 },
  'pii/crypto-wallet': { precision: 1, recall: 1 },
};

interface Tally {
  truePositives: number;
  falsePositives: string[];
  falseNegatives: string[];
}

test('pii families: precision and recall on the probe set meet their floors', () => {
  const lines = PII_PROBES.map((probe) =>
    JSON.stringify({ messages: [{ role: 'user', content: probe.text }] }),
  );
  const tallies = new Map<string, Tally>(
    Object.keys(FLOORS).map((family) => [
      family,
      { truePositives: 0, falsePositives: [], falseNegatives: [] },
    ]),
  );
  PII_PROBES.forEach((probe, line) => {
    const config = resolveConfig({ pii: { defaultPhoneRegion: probe.region ?? 'US' } }).config;
    const reported = lintText(lines[line]!, config, piiCheckers).map((finding) => ({
      code: finding.code,
      text: lines[line]!.slice(finding.range.start.character, finding.range.end.character),
    }));
    for (const [family, tally] of tallies) {
      const expected = family === probe.family ? [...probe.expected] : [];
      for (const { text } of reported.filter((r) => r.code === family)) {
        const at = expected.indexOf(text);
        if (at === -1) tally.falsePositives.push(`${probe.text} → ${text}`);
        else {
          tally.truePositives++;
          expected.splice(at, 1);
        }
      }
      for (const value of expected) tally.falseNegatives.push(`${probe.text} → ${value}`);
    }
  });
  const failures: string[] = [];
  for (const [family, tally] of tallies) {
    const tp = tally.truePositives;
    const precision = tp / (tp + tally.falsePositives.length || 1);
    const recall = tp / (tp + tally.falseNegatives.length || 1);
    const probes = PII_PROBES.filter((probe) => probe.family === family).length;
    console.log(
      `${family}: ${probes} probes, precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}`,
    );
    const floor = FLOORS[family]!;
    if (precision < floor.precision)
      failures.push(`${family} false positives: ${tally.falsePositives.join('; ')}`);
    if (recall < floor.recall) failures.push(`${family} false negatives: ${tally.falseNegatives.join('; ')}`);
  }
  assert.deepEqual(failures, []);
});
