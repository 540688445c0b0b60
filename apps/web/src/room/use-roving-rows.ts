import type { Virtualizer } from '@tanstack/react-virtual';
import {
  type FocusEvent,
  type KeyboardEvent,
  type RefObject,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { focusComposer } from './Composer.js';

/** Rows a PageUp or PageDown moves. */
const page = 10;

/**
 * The message list as one tab stop, as Slack's is: Tab lands on one row (the newest, or the
 * last one the arrows were on), arrow keys move between rows (Home, End, PageUp, PageDown
 * too), Enter opens the row's actions, Escape goes back to the composer. Only that row's
 * controls are in the tab order, and only while focus is in the list (Tab from the row
 * walks them). Rows are virtualized, so a row is focused once it has been
 * rendered; while the active row is scrolled out of the rendered window, the list itself is
 * the tab stop and hands focus to the first row in view.
 */
export function useRovingRows(
  rows: readonly { key: string }[],
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  scroller: RefObject<HTMLDivElement | null>,
) {
  const [activeKey, setActiveKey] = useState<string>();
  // Whether focus is in the list: only then are the active row's controls tabbable, so that
  // Shift+Tab into the list lands on the row, not on its last button.
  const [within, setWithin] = useState(false);
  // Searched from the end: the active row is usually among the newest.
  const found = activeKey === undefined ? -1 : rows.findLastIndex((row) => row.key === activeKey);
  const activeIndex = found === -1 ? rows.length - 1 : found;
  const focusNext = useRef<string | undefined>(undefined);
  const rendered = virtualizer.getVirtualItems();
  const activeRendered = rendered.some((row) => row.index === activeIndex);

  // After the row asked for has been rendered (a scroll may be needed first), focus it.
  useLayoutEffect(() => {
    const key = focusNext.current;
    if (key === undefined) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"]`);
    if (row === null || row === undefined) return;
    focusNext.current = undefined;
    row.focus({ preventScroll: true });
  });

  function moveTo(index: number): void {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    const key = rows[target]?.key;
    if (key === undefined) return;
    setActiveKey(key);
    focusNext.current = key;
    virtualizer.scrollToIndex(target, { align: 'auto' });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const row = event.target as HTMLElement;
    // Keys typed in a control inside a row (the edit box, a menu button) are theirs.
    if (!row.hasAttribute('data-row-key')) return;
    switch (event.key) {
      case 'ArrowUp':
        moveTo(activeIndex - 1);
        break;
      case 'ArrowDown':
        moveTo(activeIndex + 1);
        break;
      case 'PageUp':
        moveTo(activeIndex - page);
        break;
      case 'PageDown':
        moveTo(activeIndex + page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'Enter': {
        // Radix opens a menu from its button's keydown, not from a click.
        const actions = row.querySelector<HTMLElement>('[data-actions]');
        if (actions === null) return;
        actions.focus();
        actions.dispatchEvent(
          new globalThis.KeyboardEvent('keydown', { key: 'Enter', bubbles: true }),
        );
        break;
      }
      case 'Escape':
        focusComposer();
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return {
    activeIndex,
    /** Whether the row's controls are in the tab order now. */
    controlsTabbable: (index: number) => within && index === activeIndex,
    onKeyDown,
    onListBlur(event: FocusEvent<HTMLDivElement>): void {
      const to = event.relatedTarget;
      if (!(to instanceof Node && event.currentTarget.contains(to))) setWithin(false);
    },
    /** The list is the tab stop only while no active row is rendered to take that role. */
    listTabIndex: activeRendered ? -1 : 0,
    onListFocus(event: FocusEvent<HTMLDivElement>): void {
      setWithin(true);
      if (event.target !== event.currentTarget) return;
      const firstInView = rendered.find((row) => row.start >= (scroller.current?.scrollTop ?? 0));
      moveTo(firstInView?.index ?? rows.length - 1);
    },
    /** What each rendered row needs to take part. */
    rowProps(key: string, index: number) {
      return {
        'data-row-key': key,
        tabIndex: index === activeIndex ? 0 : -1,
        onFocus: () => {
          if (key !== activeKey) setActiveKey(key);
        },
      };
    },
  };
}
