// A tiny element builder: text goes in with textContent only, so API data can never become markup.

type Attributes = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

let counter = 0;

/** A document-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Sets an element's text only when it differs, so an unchanged node (and a live region) is left alone. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** A row's action button: built once, found by its data-action, doing one thing on click. */
export function actionButton(
  action: string,
  label: string,
  className: string,
  onClick: () => void,
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: className, 'data-action': action }, label);
  button.addEventListener('click', onClick);
  return button;
}

/** The element index.html must have, checked to be of the expected class (custom elements are upgraded by now). */
export function required<T extends Element>(selector: string, type: abstract new () => T): T {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`index.html lacks ${selector}`);
  return element;
}
