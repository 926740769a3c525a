import type { Checker } from '../../engine/rule.ts';

/** The tokens rules, in the order they run. */
export const tokensCheckers: Checker[] = [];
