/** A file with no example at all: empty, or only blank lines. */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';

export const NO_EXAMPLES: RuleMeta = {
  code: 'format/no-examples',
  family: 'format',
  description: 'The file holds no example: it is empty or has only blank lines.',
  // An error: the trainer refuses such a file ("no examples"); an error is what the new-run form
  // shows before it launches.
  defaultSeverity: 'error',
  fixable: false,
};

const START = { line: 0, character: 0 };

export const noExamplesChecker = datasetChecker<true>({
  kind: 'dataset',
  rules: [NO_EXAMPLES],
  // Any non-blank line counts: one that is not an example already has its own error.
  extract: (context) => (context.text.trim() === '' ? undefined : true),
  createIndex() {
    let lines = 0;
    return {
      add() {
        lines++;
      },
      remove() {
        lines--;
      },
      report(_lines, report) {
        if (lines > 0) return;
        report(NO_EXAMPLES.code, {
          message:
            'The file holds no example; the trainer refuses it ("no examples"). Add at least one line.',
          range: { start: START, end: START },
        });
      },
    };
  },
});
