/** A file with no example at all: empty, or only blank lines. */
import { datasetChecker } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';

const NO_EXAMPLES: RuleMeta = {
  code: 'format/no-examples',
  family: 'format',
  description: 'The file holds no example: it is empty or has only blank lines.',
  // An error: the trainer refuses such a file ("no examples"); an error is what the new-run form
  // shows before it launches.
  defaultSeverity: 'error',
  fixable: false,
};

const START = { line: 0, character: 0 };

export const noExamplesChecker = datasetChecker<1>({
  kind: 'dataset',
  rules: [NO_EXAMPLES],
  // Any non-blank line counts: one that is not an example already has its own error. A number, so the
  // CLI's workers send the facts as a typed column.
  // A line too long to keep has no text here, but is no blank line.
  extract: (context) =>
    context.input.truncatedLength === undefined && context.text.trim() === '' ? undefined : 1,
  createIndex() {
    let lines = 0;
    return {
      add() {
        lines++;
      },
      remove() {
        lines--;
      },
      // A count holds no ids.
      move() {},
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
