import type { RuleMeta } from '../../engine/types.ts';

export const LEAKAGE: RuleMeta = {
  code: 'split/leakage',
  family: 'split',
  description: 'A validation example is identical or nearly identical to a training example.',
  defaultSeverity: 'warning',
  fixable: false,
};
