/** The form's dataset choices: file names as the user reads them, and the pair a form opens with. */
import type { DatasetFile } from '../../src/shared/new-run-protocol.ts';

export const fileName = (uri: string): string => decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));

/** A training file with a validation file beside it, for a form that works as opened. */
export function defaultPair(datasets: DatasetFile[]): { train: string; validation: string } {
  for (const file of datasets) {
    if (!/train/i.test(fileName(file.uri))) continue;
    const dir = file.uri.slice(0, file.uri.lastIndexOf('/') + 1);
    const validation = datasets.find(
      (other) => other.uri.startsWith(dir) && /valid|val\./i.test(fileName(other.uri)),
    );
    if (validation && !validation.uri.slice(dir.length).includes('/'))
      return { train: file.uri, validation: validation.uri };
  }
  return { train: '', validation: '' };
}
