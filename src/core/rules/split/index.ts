import type { Checker, DatasetChecker } from '../../engine/rule.ts';
import type { SimilarityFacts } from '../consistency/near-duplicate.ts';
import { splitLeakageChecker } from './leakage.ts';
import { semanticLeakChecker } from './semantic-leak.ts';

export { LeakageIndex } from './leakage.ts';
export { LEAKAGE } from './meta.ts';
export { splitRole, type SplitRole } from './role.ts';

/** Both rules span files: workspace checkers, one fed with line facts, one with embeddings. */
export const splitCheckers: Checker[] = [splitLeakageChecker, semanticLeakChecker];

/**
 * For tests that feed `LeakageIndex` by hand: the facts its `add` wants, out of one line's `LineResult.facts` (ordered as
 * `LinePass.datasetCheckers`); undefined for a line that is not an example or when both codes are off.
 */
export function leakageFacts(
  datasetCheckers: readonly DatasetChecker[],
  facts: readonly unknown[],
): SimilarityFacts | undefined {
  const source = splitLeakageChecker.facts;
  return source.kind === 'lines'
    ? (facts[datasetCheckers.indexOf(source.checker)] as SimilarityFacts | undefined)
    : undefined;
}
