import type { Checker, DatasetChecker } from '../../engine/rule.ts';
import { nearDuplicateChecker, type SimilarityFacts } from '../consistency/near-duplicate.ts';

export { LeakageIndex } from './leakage.ts';
export { LEAKAGE } from './meta.ts';
export { splitRole, type SplitRole } from './role.ts';

/**
 * No checker of its own: `split/leakage` spans files, so it is reported by `LeakageIndex`, fed with the
 * facts of `nearDuplicateChecker` (which lists the code, so the facts are extracted when it is on).
 */
export const splitCheckers: Checker[] = [];

/**
 * The facts `LeakageIndex.add` wants, out of one line's `LineResult.facts` (ordered as
 * `LinePass.datasetCheckers`); undefined for a line that is not an example or when both codes are off.
 */
export function leakageFacts(
  datasetCheckers: readonly DatasetChecker[],
  facts: readonly unknown[],
): SimilarityFacts | undefined {
  const index = datasetCheckers.indexOf(nearDuplicateChecker as DatasetChecker);
  return index < 0 ? undefined : (facts[index] as SimilarityFacts | undefined);
}
