/** Builds DOM from data without ever parsing HTML: every string lands as text, so file and column names cannot inject markup. */

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return custom(tag, attributes, ...children) as HTMLElementTagNameMap[K];
}

/** Any element by tag name, the toolkit's custom elements included. */
export function custom(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** A small text button that calls `action`; keyboard reachable like any button. */
export function actionButton(label: string, title: string, action: () => void, testId?: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'action', title, 'data-testid': testId }, label);
  button.addEventListener('click', action);
  return button;
}
