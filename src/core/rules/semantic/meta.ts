/**
 * The within-file rules of the semantic pass (src/core/semantic/pass.ts): examples compared by what
 * they mean, through sentence embeddings. They are not `Checker`s: the pass runs after the lexical
 * lint, off the lint's thread, and only when an embedding model is present. Its cross-file rule,
 * `split/semantic-leak`, is a workspace checker (rules/split/semantic-leak.ts) the pass feeds.
 */
import type { RuleMeta } from '../../engine/types.ts';

export const SEMANTIC_NEAR_DUPLICATE: RuleMeta = {
  code: 'semantic/near-duplicate',
  family: 'semantic',
  description: 'An example asks what an earlier one asks, in other words.',
  defaultSeverity: 'info',
  fixable: false,
};

export const SEMANTIC_CONFLICT: RuleMeta = {
  code: 'semantic/conflict',
  family: 'semantic',
  description: 'An example asks what an earlier one asks, in other words, and is answered differently.',
  defaultSeverity: 'warning',
  fixable: false,
};

export const SEMANTIC_RULES: readonly RuleMeta[] = [SEMANTIC_NEAR_DUPLICATE, SEMANTIC_CONFLICT];
