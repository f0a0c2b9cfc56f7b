import type blessed from 'blessed';
import { cellSafe } from './cells.ts';
import { fit } from './render.ts';
import type { PaneText } from './panes.ts';

/**
 * Every string this element is given passes cellSafe (nothing blessed would mis-measure reaches
 * it), and its label is cut to fit between its corners (a long title ran over the border).
 */
export function cellSafeElement<E extends blessed.Widgets.BoxElement>(element: E): E {
  const setContent = element.setContent.bind(element);
  const setLabel = element.setLabel.bind(element);
  element.setContent = (content: string) => setContent(cellSafe(content));
  element.setLabel = (label: string | blessed.Widgets.LabelOptions) =>
    setLabel(
      typeof label === 'string' ? fit(cellSafe(label), Math.max(4, ((element.width as number) || 80) - 4)) : label,
    );
  return element;
}

/** A pane's label and content, as the pane functions of panes.ts compute them. */
export function fill(element: blessed.Widgets.BoxElement, text: PaneText): void {
  element.setLabel(text.label);
  element.setContent(text.content);
}
