/**
 * Loaded into every server the bench starts (`--import`, with `--expose-gc`): SIGWINCH runs
 * a full garbage collection, so the idle scenario weighs what connections keep, not what
 * connecting them left behind for a collection that has not come yet.
 */
process.on('SIGWINCH', () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
});
