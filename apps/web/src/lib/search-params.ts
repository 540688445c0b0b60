/**
 * Search params as plain query strings (`?q=2026&offset=48`), not the router's default of
 * JSON values (`?q=%222026%22`): links stay readable, and the server reads the same URL as
 * the app (it inlines the dashboard's first listing). Every value is a string; the routes'
 * schemas coerce what they need. Empty and missing values are left out of the URL.
 */
export const plainSearch = {
  parseSearch(search: string): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(search));
  },
  stringifySearch(search: Record<string, unknown>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(search)) {
      if (value === undefined || value === null || value === '') continue;
      params.set(key, String(value));
    }
    const text = params.toString();
    return text === '' ? '' : `?${text}`;
  },
};
