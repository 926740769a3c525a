/**
 * `split/semantic-leak`: a validation example that means the same as a training example, in other
 * words. A workspace checker fed with the embeddings the semantic pass computes (core/semantic/pass.ts
 * feeds it through the same driver as `split/leakage`'s line facts): each validation example against
 * its most similar training example at or above `semantic.threshold`, unless an earlier cross-file
 * finding (`split/leakage`) already links the pair.
 */
import { basename } from 'node:path';
import { severityOf } from '../../engine/config.ts';
import {
  workspaceChecker,
  type EmbeddedExample,
  type FileAccess,
  type FileFinding,
  type PairJudge,
  type SplitRole,
  type WorkspaceIndex,
} from '../../engine/rule.ts';
import type { Severity } from '../../engine/types.ts';
import { bestIn, type PairSearchOptions } from '../../semantic/pair-index.ts';
import { normalised } from '../../semantic/prompt-key.ts';
import { SEMANTIC_LEAK } from './meta.ts';

interface FileEntry {
  role: SplitRole;
  examples: Map<number, EmbeddedExample>;
}

interface Located {
  file: string;
  id: number;
  example: EmbeddedExample;
}

function pairKey(file: string, line: number, otherFile: string, otherLine: number): string {
  return `${file}\0${line}\0${otherFile}\0${otherLine}`;
}

class SemanticLeakIndex implements WorkspaceIndex<EmbeddedExample> {
  /** In the order files were first added: the pass's file order, which ties between matches follow. */
  private readonly files = new Map<string, FileEntry>();

  constructor(
    private readonly severity: Severity | undefined,
    private readonly threshold: number,
    private readonly search: PairSearchOptions,
    private readonly judgePairs: PairJudge | undefined,
  ) {}

  add(file: string, role: SplitRole, id: number, facts: EmbeddedExample): void {
    let entry = this.files.get(file);
    if (!entry) this.files.set(file, (entry = { role, examples: new Map() }));
    entry.role = role;
    entry.examples.set(id, facts);
  }

  remove(file: string, id: number): void {
    this.files.get(file)?.examples.delete(id);
  }

  move(file: string, from: number, delta: number): void {
    const entry = this.files.get(file);
    if (!entry) return;
    const moved = [...entry.examples].map(([id, facts]): [number, EmbeddedExample] =>
      id >= from ? [id + delta, facts] : [id, facts],
    );
    entry.examples = new Map(moved);
  }

  removeFile(file: string): void {
    this.files.delete(file);
  }

  async report(access: FileAccess, earlier: readonly FileFinding[]): Promise<FileFinding[]> {
    if (!this.severity) return [];
    const reported = new Set<string>();
    for (const { file, finding } of earlier) {
      for (const related of finding.related ?? []) {
        if (related.file !== undefined)
          reported.add(pairKey(file, finding.range.start.line, related.file, related.range.start.line));
      }
    }
    // Copies of a prompt within a training file are consistency/duplicate's: its first is compared.
    const train: Located[] = [];
    const validation: Located[] = [];
    for (const [file, entry] of this.files) {
      const ids = [...entry.examples.keys()].sort((a, b) => a - b);
      const seen = new Set<string>();
      for (const id of ids) {
        const example = entry.examples.get(id)!;
        if (entry.role === 'validation') validation.push({ file, id, example });
        else {
          const key = normalised(example.prompt);
          if (seen.has(key)) continue;
          seen.add(key);
          train.push({ file, id, example });
        }
      }
    }
    if (train.length === 0) return [];
    const matches = await bestIn(
      train.map((t) => t.example.vector),
      validation.map((v) => v.example.vector),
      this.threshold,
      this.search,
    );
    const missed = this.judgePairs
      ? await this.judgePairs(
          matches.map(
            (match, q) =>
              [match ? train[match.index]!.example.prompt : '', validation[q]!.example.prompt] as const,
          ),
        )
      : [];
    const findings: FileFinding[] = [];
    matches.forEach((match, q) => {
      if (!match || missed[q] !== undefined) return;
      const v = validation[q]!;
      const t = train[match.index]!;
      const [lines, trainLines] = [access(v.file), access(t.file)];
      const line = lines ? lines.lineOf(v.id) : v.example.line;
      const trainLine = trainLines ? trainLines.lineOf(t.id) : t.example.line;
      // A prompt repeated to the letter is still a leak, unless split/leakage already said so.
      if (reported.has(pairKey(v.file, line, t.file, trainLine))) return;
      findings.push({
        file: v.file,
        finding: {
          code: SEMANTIC_LEAK.code,
          severity: this.severity!,
          message: `Means the same as a training example: ${basename(t.file)} line ${trainLine + 1} (cosine ${match.cosine.toFixed(2)})`,
          range: lines ? lines.context(v.id).lineRange() : v.example.range,
          related: [
            {
              file: t.file,
              range: trainLines ? trainLines.context(t.id).lineRange() : t.example.range,
              message: 'The training example',
            },
          ],
        },
      });
    });
    return findings;
  }
}

export const semanticLeakChecker = workspaceChecker({
  kind: 'workspace',
  rules: [SEMANTIC_LEAK],
  facts: { kind: 'embeddings' },
  createIndex(config, { pairSearch = {}, judgePairs }) {
    const setting = severityOf(
      config,
      SEMANTIC_LEAK.code,
      SEMANTIC_LEAK.family,
      SEMANTIC_LEAK.defaultSeverity,
    );
    return new SemanticLeakIndex(
      setting === 'off' ? undefined : setting,
      config.semantic.threshold,
      pairSearch,
      judgePairs,
    );
  },
});
