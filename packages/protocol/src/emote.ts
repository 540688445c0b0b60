/** Emote-only mode's rule, shared so that a client can tell before sending what the server will refuse. */

// Pictographs, skin tones, flags (the tag characters spell England's, Scotland's and
// Wales'), joiners and variation selectors; keycap digits are left out, or "123" would
// pass for emoji.
const emojiOrSpace =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|[\u{E0020}-\u{E007F}]|\u200d|\ufe0f|\s)+$/u;
const pictograph = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

/** Whether the content is emoji only (spaces between them allowed), as emote-only mode wants. */
export const isEmoteOnly = (content: string): boolean =>
  emojiOrSpace.test(content) && pictograph.test(content);
