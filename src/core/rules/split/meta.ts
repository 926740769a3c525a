import type { RuleMeta } from '../../engine/types.ts';

export const LEAKAGE: RuleMeta = {
  code: 'split/leakage',
  family: 'split',
  description: 'A validation example is identical or nearly identical to a training example.',
  defaultSeverity: 'warning',
  fixable: false,
};

export const SEMANTIC_LEAK: RuleMeta = {
  code: 'split/semantic-leak',
  family: 'split',
  description: 'A validation example means the same as a training example, in other words.',
  defaultSeverity: 'warning',
  fixable: false,
};
