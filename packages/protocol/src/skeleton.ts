import unhomoglyph from 'unhomoglyph';
import { normaliseName } from './names.js';

/**
 * Look-alike detection for names, as its own entry point (`@hubbub/protocol/skeleton`):
 * the server needs it, clients do not, and it carries Unicode's confusables table
 * (~100 KB) that a browser should not download for nothing.
 */

/**
 * The confusable skeleton of UTS #39 (section 4): NFD, each character replaced by the
 * prototype it is confusable with (Unicode's confusables.txt, through `unhomoglyph`), NFD
 * again; default-ignorable code points dropped first, as the current UTS #39 does. Two
 * strings with one skeleton look alike (`paypal` and `pаypаl` with Cyrillic а, `m` and
 * `rn`, `0` and `O`). A skeleton is for comparing, never for showing.
 */
export function skeleton(text: string): string {
  const visible = text.normalize('NFD').replace(/\p{Default_Ignorable_Code_Point}/gu, '');
  return unhomoglyph(visible).normalize('NFD');
}

/**
 * The keys under which a name is reserved: the skeletons of the name as written, in lower
 * case and in upper case. Names compare case-insensitively, yet a skeleton is case-
 * sensitive (capital `I` looks like `l`, lower-case `i` does not), so a name is reserved
 * in all three: `Alice`, `ALICE`, `аlice` with Cyrillic а, `ALlCE` and `Ａlice` all meet
 * `alice`, and `Iris` meets `lris`, while `all` and `ali` stay apart. Two names look
 * alike when they share a key.
 */
export function nameKeys(name: string): string[] {
  const normal = normaliseName(name);
  return [
    ...new Set([normal, normal.toLowerCase(), normal.toUpperCase()].map((form) => skeleton(form))),
  ];
}
