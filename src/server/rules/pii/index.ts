import type { Checker } from '../../engine/rule.ts';

/** The pii rules, in the order they run. */
export const piiCheckers: Checker[] = [];
