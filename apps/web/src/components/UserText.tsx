import type { ReactNode } from 'react';

/** The explicit bidi controls (embeddings, overrides, isolates), by what they are called. */
const controlNames: Record<string, [short: string, long: string]> = {
  '\u202A': ['LRE', 'left-to-right embedding'],
  '\u202B': ['RLE', 'right-to-left embedding'],
  '\u202C': ['PDF', 'pop directional formatting'],
  '\u202D': ['LRO', 'left-to-right override'],
  '\u202E': ['RLO', 'right-to-left override'],
  '\u2066': ['LRI', 'left-to-right isolate'],
  '\u2067': ['RLI', 'right-to-left isolate'],
  '\u2068': ['FSI', 'first strong isolate'],
  '\u2069': ['PDI', 'pop directional isolate'],
};
const controls = /([\u202A-\u202E\u2066-\u2069])/u;

/**
 * Text someone typed, with its explicit bidi controls shown as small marks instead of
 * obeyed: `pay to \u202Emoc.live` reads `pay to [RLO]moc.live`, not `pay to evil.com`. The
 * text itself is kept as sent; only its drawing changes. Put it in an isolating element
 * (`<bdi>`, or `dir="auto"` with `unicode-bidi: isolate`) so that what it holds, right-to-
 * left words included, cannot move the text around it.
 */
export function withVisibleControls(text: string): ReactNode {
  if (!controls.test(text)) return text;
  return text.split(controls).map((piece, i) => {
    const named = controlNames[piece];
    if (named === undefined) return piece;
    return (
      <abbr
        // The pieces of one text never move: the index is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        key={i}
        title={`${named[1]} (U+${piece.codePointAt(0)?.toString(16).toUpperCase()})`}
        data-bidi-control
        className="mx-px rounded-sm bg-rose-500/20 px-0.5 font-mono text-[0.7em] text-rose-200 no-underline"
      >
        {named[0]}
      </abbr>
    );
  });
}
