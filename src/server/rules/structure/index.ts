import type { Checker } from '../../engine/rule.ts';

/** The structure rules, in the order they run. */
export const structureCheckers: Checker[] = [];
