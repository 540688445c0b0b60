/** Options that take a value, given as `--name=value` or `--name value`. */
const VALUED = new Set(['--targets', '--out', '--minutes', '--engine', '--rate', '--clients']);

/** The value of `--name`, written `--name=value` or `--name value`; undefined when absent. */
export function option(args: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (const [i, arg] of args.entries()) {
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}

/** The scenario's name: the first word that is neither an option nor an option's value. */
export function positional(args: readonly string[]): string | undefined {
  return args.find((arg, i) => !arg.startsWith('--') && !VALUED.has(args[i - 1] ?? ''));
}
