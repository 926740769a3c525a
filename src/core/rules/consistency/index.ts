import type { Checker } from '../../engine/rule.ts';
import { answerFormatDriftChecker } from './answer-format-drift.ts';
import { answerWhitespaceChecker } from './answer-whitespace.ts';
import { duplicateChecker } from './duplicate.ts';
import { labelVariantChecker } from './label-variant.ts';
import { lengthOutlierChecker } from './length-outlier.ts';
import { nearDuplicateChecker } from './near-duplicate.ts';
import { systemPromptDriftChecker } from './system-prompt-drift.ts';

export { nearDuplicateChecker } from './near-duplicate.ts';
export type { SimilarityFacts } from './near-duplicate.ts';

/** The consistency rules, in the order they run. */
export const consistencyCheckers: Checker[] = [
  answerWhitespaceChecker,
  duplicateChecker as Checker,
  nearDuplicateChecker as Checker,
  systemPromptDriftChecker as Checker,
  labelVariantChecker as Checker,
  answerFormatDriftChecker as Checker,
  lengthOutlierChecker as Checker,
];
