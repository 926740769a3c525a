/** DOM helpers of every panel: names, messages and model text go in as text, never as HTML. */

export function element<T extends HTMLElement = HTMLElement>(
  tag: string,
  attributes: Record<string, string> = {},
  text?: string,
): T {
  const node = document.createElement(tag) as T;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Replaces a select's options; `selected` is marked on its option, which the select reads on slotchange. */
export function setOptions(
  select: HTMLElement & { value: string },
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
