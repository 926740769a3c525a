/** DOM helpers of the new-run form: every name and message goes in as text, never as HTML. */
import type { EstimateView } from '../../src/shared/new-run-protocol.ts';
import { formatBytes } from '../../src/shared/format.ts';
import { element as sharedElement } from '../common/dom.ts';

export { setOptions } from '../common/dom.ts';

export type Control = HTMLElement & { value: string; checked: boolean; disabled: boolean };
export const $ = (id: string): Control => document.getElementById(id) as Control;

export const element = sharedElement<Control>;

export function renderEstimate(estimate: EstimateView): void {
  const where = estimate.device;
  const needs = formatBytes(estimate.totalBytes);
  const free =
    estimate.freeBytes === null ? 'free memory unknown' : `${formatBytes(estimate.freeBytes)} free`;
  const verdict =
    estimate.fits === null ? 'Cannot tell whether it fits' : estimate.fits ? 'Fits' : 'Does not fit';
  const line = $('estimate');
  line.textContent = `${verdict} on ${where}: needs about ${needs}, ${free}.`;
  line.className = estimate.fits === false ? 'error' : 'muted';
  $('suggestions').replaceChildren(
    ...estimate.suggestions.map((suggestion) =>
      element(
        'li',
        {},
        `${suggestion.change}: about ${formatBytes(suggestion.totalBytes)}${suggestion.fits ? ' (fits)' : ''}`,
      ),
    ),
  );
}
