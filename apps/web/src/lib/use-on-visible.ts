import { type RefObject, useEffect } from 'react';

/**
 * Calls `onVisible` when the element comes within `margin` of the viewport. The observer is
 * made again whenever `generation` changes (a page loaded): an observer reports crossings
 * only, so an element still in view after a load would otherwise never be reported again.
 */
export function useOnVisible(
  ref: RefObject<Element | null>,
  onVisible: () => void,
  {
    enabled,
    generation,
    margin = '800px',
  }: { enabled: boolean; generation: number; margin?: string },
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` renews the observer (see above)
  useEffect(() => {
    const element = ref.current;
    if (!enabled || element === null) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) onVisible();
      },
      { rootMargin: `${margin} 0px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, onVisible, enabled, generation, margin]);
}
