import { z } from 'zod';

/**
 * Imported first: zod compiles object parsers with `new Function` unless told not to, and
 * the page's Content-Security-Policy allows no eval. Its probe for whether eval works would
 * itself be reported as a violation, so the setting must precede every schema's creation.
 */
z.config({ jitless: true });
