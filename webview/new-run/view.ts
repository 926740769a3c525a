/** DOM helpers of the new-run form: every name and message goes in as text, never as HTML. */
import type { EstimateView } from '../../src/shared/new-run-protocol.ts';
import { formatBytes } from '../../src/shared/format.ts';

export type Control = HTMLElement & { value: string; checked: boolean; disabled: boolean };
export const $ = (id: string): Control => document.getElementById(id) as Control;

export function element(tag: string, attributes: Record<string, string> = {}, text?: string): Control {
  const node = document.createElement(tag) as Control;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Replaces a select's options; `selected` is marked on its option, which the select reads on slotchange. */
export function setOptions(
  select: Control,
  options: { value: string; label: string; disabled?: boolean }[],
  selected: string,
) {
  select.replaceChildren(
    ...options.map((option) => {
      const node = element('vscode-option', { value: option.value }, option.label);
      if (option.value === selected) node.setAttribute('selected', '');
      if (option.disabled) node.setAttribute('disabled', '');
      return node;
    }),
  );
  queueMicrotask(() => (select.value = selected));
}

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
