import { z } from 'zod';
import { limits } from './limits.js';

/**
 * The rules for people's names (a guest's name, an account's login and display name) and
 * for what makes text visible, shared by the server and every client so both refuse the
 * same input with the same words. docs/auth.md explains them. Look-alike keys (UTS #39
 * skeletons) are in skeleton.ts, a separate entry (`@hubbub/protocol/skeleton`) so that
 * clients, which do not need them, do not ship Unicode's confusables table.
 */

/**
 * What may never be in a name: controls (NUL, newlines, tabs), format characters (bidi
 * embeddings, overrides and isolates, LRM/RLM, zero-width spaces and joiners, the BOM,
 * tags), line and paragraph separators, lone surrogates, private-use and unassigned code
 * points, everything Unicode calls default-ignorable (variation selectors, Hangul fillers,
 * the combining grapheme joiner…), and the blank Braille pattern, which is a symbol that
 * draws nothing.
 */
const forbiddenInNames =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** The exceptions, inside emoji only: the joiner of a ZWJ sequence and the emoji/text selectors. */
const emojiJoiner =
  /(?<=\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?)\u200D(?=\p{Extended_Pictographic})/gu;
const emojiSelector = /(?<=\p{Emoji})[\uFE0E\uFE0F]/gu;

/** Characters that draw nothing (or nothing on their own) in running text. */
const invisible = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * A name as it is kept and shown: NFKC (so fullwidth, ligature and styled letters become
 * the plain ones: `Ａｄｍｉｎ` is `Admin`), every kind of space one plain space, runs of
 * spaces one, no space at either end.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\p{Zs}+/gu, ' ')
    .trim();
}

/** Why `name` (normalised) cannot be a name, or undefined if it can. */
export function nameProblem(name: string): string | undefined {
  const outsideEmoji = name.replace(emojiJoiner, '').replace(emojiSelector, '');
  if (forbiddenInNames.test(outsideEmoji))
    return 'names cannot contain control, formatting (bidi, zero-width) or invisible characters';
  if (!hasVisibleText(name)) return 'names need at least one visible character';
  if (/^\p{M}/u.test(name)) return 'names cannot start with a combining mark';
  return undefined;
}

/**
 * `raw` made into an acceptable name by dropping what names cannot contain and cutting it
 * to length, or undefined if nothing visible is left: for names the server is given rather
 * than asked for (an identity provider's `name` claim), which it cannot refuse.
 */
export function cleanName(raw: string): string | undefined {
  const chars = [...normaliseName(raw)].filter((char, i, all) => {
    if (!forbiddenInNames.test(char)) return true;
    // A joiner or selector stays where it belongs to an emoji.
    const around = `${all[i - 1] ?? ''}${char}${all[i + 1] ?? ''}`;
    return around.replace(emojiJoiner, '').replace(emojiSelector, '').length < around.length;
  });
  while (chars.length > 0 && /^\p{M}/u.test(chars[0] ?? '')) chars.shift();
  // Cut whole code points: String.length (UTF-16 units) is what the limit counts.
  while (chars.join('').length > limits.usernameMaxChars) chars.pop();
  const name = normaliseName(chars.join(''));
  return name.length > 0 && nameProblem(name) === undefined ? name : undefined;
}

/**
 * Whether `text` has something to see: anything besides whitespace, controls, format
 * characters (bidi controls, zero-width spaces and joiners), variation selectors and other
 * default-ignorable code points. Message content made only of those is refused as empty.
 */
export function hasVisibleText(text: string): boolean {
  return text.replace(invisible, '').length > 0;
}

/** Half of a UTF-16 surrogate pair without its other half (under the `u` flag, pairs are one code point). */
const loneSurrogate = /\p{Cs}/u;

/**
 * Whether `text` is well-formed Unicode: no lone surrogate. JSON's `\ud800` escapes can
 * put one in a string, and no UTF-8 store keeps it (SQLite hands back three U+FFFD,
 * PostgreSQL's driver writes one), so text the server stores must not hold any: it would
 * read back other than it was sent and shown.
 */
export function isWellFormed(text: string): boolean {
  return !loneSurrogate.test(text);
}

/** The refusal of text `isWellFormed` turns down, naming the field. */
export const wellFormedMessage = (field: string) =>
  `${field} must be well-formed Unicode (no lone surrogates)`;

/** Refines a normalised name by the rules above. */
function checkName(name: string, context: z.core.$RefinementCtx<string>): void {
  const problem = nameProblem(name);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: name });
}

/**
 * A display name (a guest's, or an account's shown name): normalised as `normaliseName`
 * says, 1-50 characters, with something visible and nothing invisible or reordering.
 */
export const Username = z
  .string()
  .overwrite(normaliseName)
  .min(1, 'username must not be empty')
  .max(limits.usernameMaxChars, `username is at most ${limits.usernameMaxChars} characters`)
  .superRefine(checkName);

/** Login names: 3-32 of a-z 0-9 _ . -, NFKC-normalised and compared case-insensitively. */
export const LoginName = z
  .string()
  .overwrite((name) => name.normalize('NFKC').trim().toLowerCase())
  .min(3, 'username is at least 3 characters')
  .max(32, 'username is at most 32 characters')
  .regex(/^[a-z0-9_.-]+$/, 'username is letters, digits, _ . and -');
