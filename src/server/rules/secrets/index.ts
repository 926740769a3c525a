import type { Checker } from '../../engine/rule.ts';

/** The secrets rules, in the order they run. */
export const secretsCheckers: Checker[] = [];
