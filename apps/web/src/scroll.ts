/** Within this many pixels of the bottom counts as "at the bottom": new messages keep it there. */
export const STICKY_PX = 48;

/** Whether a scroller is (close enough to) its bottom edge. */
export function isAtBottom(element: {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < STICKY_PX;
}

/**
 * Where to scroll after older messages were added above the viewport, so that what the
 * reader was looking at stays exactly where it was.
 */
export function anchoredScrollTop(
  scrollTop: number,
  heightBefore: number,
  heightAfter: number,
): number {
  return scrollTop + Math.max(0, heightAfter - heightBefore);
}

/** Near enough to the top that the next page of older history should be fetched. */
export function wantsOlder(scrollTop: number): boolean {
  return scrollTop < 200;
}
