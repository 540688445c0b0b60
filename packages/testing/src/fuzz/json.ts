import * as fc from 'fast-check';

/**
 * The JSON a fuzzed frame is made of. Plain JS values cannot say everything a peer may put
 * on the wire, so three kinds of node stand in: a number literal no JS number round-trips
 * (`1e999`, `-0`, `2^64`), an object as ordered entries (keys may repeat and may be
 * `__proto__`), and a reference to a value known only when the frame is sent (the
 * sender's token, a message id the server handed out).
 */

export class RawNumber {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `raw(${this.text})`;
  }
}

export class Entries {
  constructor(readonly entries: ReadonlyArray<readonly [string, Tree]>) {}
  [fc.toStringMethod](): string {
    return `{${this.entries.map(([k, v]) => `${JSON.stringify(k)}: ${fc.stringify(v)}`).join(', ')}}`;
  }
  /** The value JSON.parse would keep for `key` (the last one written). */
  get(key: string): Tree | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!;
      if (entry[0] === key) return entry[1];
    }
    return undefined;
  }
}

/**
 * What a reference stands for, resolved at send time: `index` picks among the candidates
 * the run has then (deterministically, so a seed replays the same choices).
 */
export type RefName = 'token' | 'otherToken' | 'messageId' | 'userId' | 'seq' | 'cid';

export class Ref {
  constructor(
    readonly name: RefName,
    readonly index: number,
  ) {}
  [fc.toStringMethod](): string {
    return `ref(${this.name}#${this.index})`;
  }
}

export type Tree = null | boolean | number | string | RawNumber | Ref | Entries | readonly Tree[];

/** Replaces every reference by what it stands for (a resolved tree holds none). */
export function resolve(tree: Tree, lookup: (ref: Ref) => Tree): Tree {
  if (tree instanceof Ref) return lookup(tree);
  if (tree instanceof Entries)
    return new Entries(tree.entries.map(([k, v]) => [k, resolve(v, lookup)] as const));
  if (Array.isArray(tree)) return tree.map((item: Tree) => resolve(item, lookup));
  return tree;
}

/**
 * JSON text of a tree. Non-finite JS numbers are written as JSON.stringify does (`null`);
 * raw numbers as given. Recursive: trees stay shallow (deep nesting is made as text).
 */
export function serialize(tree: Tree): string {
  if (tree instanceof RawNumber) return tree.text;
  if (tree instanceof Ref) throw new Error(`unresolved reference ${tree.name}`);
  if (tree instanceof Entries)
    return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
  if (Array.isArray(tree)) return `[${tree.map((item: Tree) => serialize(item)).join(',')}]`;
  return JSON.stringify(tree);
}

/** A parsed JSON value (as fast-check's `jsonValue` makes them) as a tree. */
export function treeOf(value: unknown): Tree {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(treeOf);
  if (typeof value === 'object')
    return new Entries(Object.entries(value).map(([k, v]) => [k, treeOf(v)] as const));
  return null;
}
