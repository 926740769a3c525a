import type { Checker } from '../../engine/rule.ts';

export { LeakageIndex, type FileFinding } from './leakage.ts';
export { LEAKAGE } from './meta.ts';
export { splitRole, type SplitRole } from './role.ts';

/**
 * No checker of its own: `split/leakage` spans files, so it is reported by `LeakageIndex`, fed with the
 * facts of `nearDuplicateChecker` (which lists the code, so the facts are extracted when it is on).
 */
export const splitCheckers: Checker[] = [];
