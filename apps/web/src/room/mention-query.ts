/** The `@name` being typed just before the caret, if any, and where it starts. */
export function mentionAt(
  text: string,
  caret: number,
): { query: string; start: number } | undefined {
  const match = /(?:^|[^\w@.-])@([a-z0-9_.-]{0,32})$/i.exec(text.slice(0, caret));
  if (match === null) return undefined;
  const query = match[1] ?? '';
  return { query, start: caret - query.length - 1 };
}

/** The text with the `@name` being typed replaced by a whole login and a space. */
export function completeMention(
  text: string,
  at: { query: string; start: number },
  login: string,
): { text: string; caret: number } {
  const before = `${text.slice(0, at.start)}@${login} `;
  const rest = text.slice(at.start + 1 + at.query.length).replace(/^ /, '');
  return { text: before + rest, caret: before.length };
}
