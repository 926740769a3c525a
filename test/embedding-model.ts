/**
 * The embedding model the semantic tests need (scripts/setup-embedding-model.sh). A developer without it
 * gets those tests skipped with the reason; `npm test` sets it up first and exports
 * TUNESMITH_REQUIRE_EMBEDDING_MODEL=1, so in CI a missing model fails the tests instead of skipping them
 * unseen.
 */
import { existsSync } from 'node:fs';
import { defaultModelDir, findEmbeddingModel } from '../src/core/semantic/model.ts';

export const embeddingModel = findEmbeddingModel(defaultModelDir());

/** `false` when every path exists; otherwise the skip reason, or a throw when the model is required. */
export function skipWithout(paths: readonly string[] = []): string | false {
  const missing = paths.filter((path) => !existsSync(path));
  if (!embeddingModel) missing.unshift(`the embedding model in ${defaultModelDir()}`);
  if (missing.length === 0) return false;
  const reason = `missing ${[...new Set(missing)].join(', ')} (bash scripts/setup-embedding-model.sh)`;
  if (process.env.TUNESMITH_REQUIRE_EMBEDDING_MODEL === '1') throw new Error(reason);
  return reason;
}
