import type { Checker } from '../../engine/rule.ts';

/** The consistency rules, in the order they run. */
export const consistencyCheckers: Checker[] = [];
