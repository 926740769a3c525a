/**
 * The workspace checkers (cross-file rules) of every family, which `ALL_CHECKERS` lists too. Apart,
 * so that the semantic pass, which feeds those on embeddings in the embedding worker, loads them
 * without the whole registry (the pii and tokens tables would grow the worker's bundle for nothing).
 */
import type { WorkspaceChecker } from '../engine/rule.ts';
import { splitCheckers } from './split/index.ts';

export const WORKSPACE_CHECKERS: readonly WorkspaceChecker[] = splitCheckers.filter(
  (checker): checker is WorkspaceChecker => checker.kind === 'workspace',
);
