/**
 * The evaluation panel's semantic figures: the corpus mean of cosine(output, reference) in the header
 * (named by the model that computed it), the per-example score beside the lexical ones, and, for a
 * regressed example expanded, its nearest training examples, each a link to its line. All as text.
 */
import type { NearestMessage, SemanticMessage, SemanticModel } from '../../src/shared/evaluation-protocol.ts';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import { systemLabel } from '../../src/shared/evaluation-view.ts';
import { element } from '../common/dom.ts';

/** cosine(output, reference) of one example. */
export interface ExampleSimilarity {
  base?: number;
  tuned: number;
}

/** Training prompts are shown to this many characters (the link opens the whole line). */
const PROMPT_CHARS = 200;

export const formatSimilarity = (value: number): string => value.toFixed(3);

const signed = (value: number): string =>
  `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(3)}`;

const modelText = (model: SemanticModel): string => `${model.name} (${model.path})`;

const progress = (done: number, total: number): string =>
  `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`;

/** The header's line: the means, the progress of computing them, or how to get the model. */
export function showSemanticHeader(
  box: HTMLElement,
  report: EvaluationReport,
  message: SemanticMessage | undefined,
): void {
  box.hidden = message === undefined;
  box.className = `semantic${message?.state === 'off' ? ' off' : ''}`;
  if (!message) return box.replaceChildren();
  const label = element('span', { class: 'label' }, 'Semantic similarity');
  label.title = 'Cosine of the embeddings of output and reference, averaged over the examples';
  switch (message.state) {
    case 'off':
      return box.replaceChildren(element('span', {}, message.info));
    case 'working':
      return box.replaceChildren(
        label,
        element('span', { class: 'muted' }, ` computing… ${progress(message.done, message.total)} texts`),
      );
    case 'failed':
      return box.replaceChildren(
        label,
        element('span', { class: 'error' }, ` not computed: ${message.message}`),
      );
    case 'ready': {
      const parts: (string | HTMLElement)[] = [label, ' '];
      if (message.mean.base !== undefined) {
        parts.push(
          `${systemLabel(report, 'base')} ${formatSimilarity(message.mean.base)} → `,
          `${systemLabel(report, 'tuned')} ${formatSimilarity(message.mean.tuned)} `,
        );
        const delta = message.mean.tuned - message.mean.base;
        parts.push(
          element(
            'span',
            { class: `delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}` },
            `(${signed(delta)})`,
          ),
        );
      } else parts.push(`${systemLabel(report, 'tuned')} ${formatSimilarity(message.mean.tuned)}`);
      parts.push(element('span', { class: 'muted model' }, ` · computed with ${modelText(message.model)}`));
      return box.replaceChildren(...parts);
    }
  }
}

/** "sim 0.412 → 0.903", beside the primary metric of a row. */
export function similarityLine(similarity: ExampleSimilarity): string {
  return similarity.base === undefined
    ? `sim ${formatSimilarity(similarity.tuned)}`
    : `sim ${formatSimilarity(similarity.base)} → ${formatSimilarity(similarity.tuned)} (${signed(similarity.tuned - similarity.base)})`;
}

/** Expanded, regressed: the training examples nearest this one's prompt (or why not yet). */
export function nearestSection(state: NearestMessage | undefined): HTMLElement {
  const box = element('section', { class: 'nearest', 'aria-label': 'Nearest training examples' });
  const title = element('h3', {}, 'Nearest training examples');
  box.append(title);
  if (!state) {
    box.append(element('div', { class: 'muted' }, 'Asking for the nearest training examples…'));
    return box;
  }
  switch (state.state) {
    case 'off':
      box.append(element('div', { class: 'notice' }, state.info));
      break;
    case 'working':
      box.append(
        element(
          'div',
          { class: 'muted', role: 'status' },
          `Embedding the training prompts (once; cached on disk)… ${progress(state.done, state.total)}`,
        ),
      );
      break;
    case 'choose':
      box.append(
        element('div', { class: 'muted' }, 'This evaluation names no run, so no training file is known.'),
        element(
          'vscode-button',
          { secondary: '', 'data-action': 'chooseTraining' },
          'Choose a training file…',
        ),
      );
      break;
    case 'failed':
      box.append(element('div', { class: 'error' }, state.message));
      break;
    case 'ready': {
      title.append(element('span', { class: 'muted' }, ` in ${state.file}, by ${modelText(state.model)}`));
      if (state.neighbours.length === 0)
        box.append(element('div', { class: 'muted' }, 'The file has no prompts.'));
      const list = element('ol', { class: 'neighbours' });
      for (const neighbour of state.neighbours) {
        const item = element('li');
        const link = element(
          'a',
          {
            href: '#',
            'data-action': 'openTraining',
            'data-line': String(neighbour.line),
            title: 'Open at this line',
          },
          `line ${neighbour.line}`,
        );
        const prompt = neighbour.prompt.replace(/\s+/g, ' ').trim();
        item.append(
          link,
          element(
            'span',
            { class: 'similarity', title: 'cosine similarity of the prompts' },
            formatSimilarity(neighbour.similarity),
          ),
          element(
            'span',
            { class: 'neighbour-prompt' },
            prompt.length > PROMPT_CHARS ? `${prompt.slice(0, PROMPT_CHARS)}…` : prompt,
          ),
        );
        list.append(item);
      }
      box.append(list);
    }
  }
  return box;
}
