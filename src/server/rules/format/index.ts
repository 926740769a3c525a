import type { Checker } from '../../engine/rule.ts';

/** The format rules, in the order they run. */
export const formatCheckers: Checker[] = [];
