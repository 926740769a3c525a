/**
 * "The same content": a line's text with its whitespace normalised, hashed. Baselines fingerprint
 * findings with it; `tunesmith diff` and the editor's comparison match examples across versions by it.
 */
import { createHash } from 'node:crypto';

export const normalisedLine = (lineText: string): string => lineText.trim().replace(/\s+/g, ' ');
export const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 20);

/** A line's content, as examples are matched across two versions of a file. */
export const contentHash = (lineText: string): string => shortHash(normalisedLine(lineText));
