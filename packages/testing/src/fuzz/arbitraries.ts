import { ClientFrame, type ClientFrameType, clientFrameTypes, limits } from '@hubbub/protocol';
import * as fc from 'fast-check';
import {
  Entries,
  RawNumber,
  Ref,
  type RefName,
  resolve,
  serialize,
  type Tree,
  treeOf,
} from './json.js';

/**
 * Generators of what a peer may send a node: frames derived from the protocol's own client
 * schemas (their JSON Schema, so a new field or frame type is fuzzed without a change
 * here), near-valid ones at and just past every bound, mutated ones (fields dropped, added,
 * retyped; `__proto__` keys; unicode that breaks things; numbers JSON allows and JS cannot
 * hold), invalid JSON, random bytes, binary frames, frames at and over
 * `limits.frameMaxBytes`, and nesting deep enough to reach it.
 */

/** What a run can aim at: rooms by name, the interesting ones first. */
export interface FuzzTargets {
  rooms: readonly string[];
}

/** One thing a client does in a run. */
export type Action =
  /** A JSON frame, serialized at send time (its references resolved then). */
  | { kind: 'frame'; tree: Tree }
  /** Text sent as is: invalid JSON, stray values, random characters. */
  | { kind: 'text'; text: string }
  /** Bytes in a binary frame, or in a text frame (then often not UTF-8). */
  | { kind: 'bytes'; bytes: Uint8Array; binary: boolean }
  /** A `ping` padded to exactly this many bytes: around `limits.frameMaxBytes`, or far over. */
  | { kind: 'sized'; bytes: number }
  /** A `send` with `depth` levels of nesting in `field` (`limits.frameMaxBytes` is the ceiling). */
  | { kind: 'deep'; depth: number; shape: 'array' | 'object'; field: string }
  /** The same frame again and again, at once: the rate limits and their strikes. */
  | { kind: 'repeat'; tree: Tree; times: number }
  /** Lets the node work (ms) before the next action. */
  | { kind: 'pause'; ms: number }
  /** The client goes away mid-run: a close handshake, or the TCP connection cut. */
  | { kind: 'drop'; graceful: boolean };

export interface Step {
  /** Which client acts (an index into the run's clients). */
  who: number;
  action: Action;
}

export interface ClientPlan {
  /** Authenticates (with its own token) before the run's steps; otherwise starts raw. */
  authenticate: boolean;
  /** Joins its usual rooms first (when authenticated). */
  joinHome: boolean;
}

export interface Scenario {
  clients: ClientPlan[];
  steps: Step[];
}

/** `frames`: mostly schema-derived and mutated frames; `chaos`: bytes, sizes, nesting, raw peers. */
export type FuzzMix = 'frames' | 'chaos';

/** The fuzz world's clients, in this order: two guests, the private channel's owner, a stranger. */
export const CLIENT_COUNT = 4;

// ---- the protocol's schemas, as JSON Schema ----

/** The part of JSON Schema that zod writes for the client frames. */
interface SchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Each client frame type with its JSON Schema (refinements are not in it: near-valid). */
export function clientFrameSchemas(): Map<ClientFrameType, SchemaNode> {
  const schemas = new Map<ClientFrameType, SchemaNode>();
  for (const option of ClientFrame.options) {
    const schema = option.toJSONSchema({ io: 'input', unrepresentable: 'any' }) as SchemaNode;
    const type = schema.properties?.type?.const;
    if (typeof type !== 'string') throw new Error('a client frame schema without a type');
    schemas.set(type as ClientFrameType, schema);
  }
  return schemas;
}

const isLiteral = (value: unknown): value is Tree =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** A tree shaped by a schema node: valid mostly, at or just past a bound sometimes. */
function fromSchema(node: SchemaNode): fc.Arbitrary<Tree> {
  if (node.const !== undefined && isLiteral(node.const)) return fc.constant(node.const);
  if (node.enum !== undefined) return fc.constantFrom(...node.enum.filter(isLiteral));
  const union = node.oneOf ?? node.anyOf;
  if (union !== undefined) return fc.oneof(...union.map(fromSchema));
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'object':
      return objectFromSchema(node, () => undefined);
    case 'array': {
      const items = node.items === undefined ? anyValue() : fromSchema(node.items);
      const max = node.maxItems ?? 4;
      return fc.oneof(
        {
          weight: 8,
          arbitrary: fc.array(items, { minLength: node.minItems ?? 0, maxLength: max }),
        },
        { weight: 1, arbitrary: fc.array(items, { minLength: max + 1, maxLength: max + 1 }) },
      );
    }
    case 'string':
      return stringFromSchema(node);
    case 'integer':
    case 'number':
      return numberFromSchema(node, type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return anyValue();
  }
}

function stringFromSchema(node: SchemaNode): fc.Arbitrary<Tree> {
  const min = node.minLength ?? 0;
  const max = node.maxLength ?? 64;
  let valid: fc.Arbitrary<string> = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }),
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: Math.min(max, 40) }),
  );
  if (node.pattern !== undefined) {
    try {
      valid = fc
        .stringMatching(new RegExp(node.pattern, 'u'), { size: 'small' })
        .map((s) => s.slice(0, max));
    } catch {
      // A pattern fast-check cannot generate from: any string of the right length.
    }
  }
  return fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant('a'.repeat(max)) },
    { weight: 1, arbitrary: fc.constant('a'.repeat(max + 1)) },
    { weight: 1, arbitrary: fc.constant('a'.repeat(Math.max(0, min - 1))) },
  );
}

function numberFromSchema(node: SchemaNode, integer: boolean): fc.Arbitrary<Tree> {
  const min =
    node.minimum ?? (node.exclusiveMinimum === undefined ? -1e6 : node.exclusiveMinimum + 1);
  const max =
    node.maximum ?? (node.exclusiveMaximum === undefined ? 1e6 : node.exclusiveMaximum - 1);
  const small = fc.integer({
    min: Math.max(min, Number.MIN_SAFE_INTEGER),
    max: Math.min(max, Math.max(min, 0) + 1000),
  });
  return fc.oneof(
    { weight: 10, arbitrary: small },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1) },
    { weight: integer ? 1 : 3, arbitrary: fc.double({ min, max, noNaN: true }) },
  );
}

/**
 * An object of a schema's properties: the required ones, and each optional one or not.
 * `field` may replace a property's generator (by name): the context-aware ones.
 */
function objectFromSchema(
  node: SchemaNode,
  field: (key: string, schema: SchemaNode) => fc.Arbitrary<Tree> | undefined,
): fc.Arbitrary<Tree> {
  const properties = Object.entries(node.properties ?? {});
  const required = new Set(node.required ?? []);
  const parts = properties.map(([key, schema]) => {
    const value = field(key, schema) ?? fromSchema(schema);
    const entry = value.map((v) => [[key, v] as const]);
    // Optional fields are left out more often than not: frames as clients mostly send them.
    return required.has(key)
      ? entry
      : fc.oneof(
          { weight: 1, arbitrary: entry },
          { weight: 2, arbitrary: fc.constant([] as ReadonlyArray<readonly [string, Tree]>) },
        );
  });
  return fc.tuple(...parts).map((entries) => new Entries(entries.flat()));
}

// ---- what the fields mean ----

const ref = (name: RefName) => fc.nat({ max: 1000 }).map((index) => new Ref(name, index));

/** Emoji a reaction may be (ZWJ sequences, skin tones, flags) and ones it may not. */
const reactionEmoji = [
  '👍',
  '❤️',
  '😂',
  '🎉',
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇫🇷',
  '1️⃣',
  '☺',
  '👍👍',
  'a',
  '\u200d',
  '🔥\u200d',
];

/** Text people write, most of it visible, some of it the kinds that break renderers. */
function contentArbitrary(): fc.Arbitrary<Tree> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '@fuzzowner look',
        '@fuzzstranger @fuzzowner @everyone',
        '🔥🔥🔥',
        'x'.repeat(limits.contentMaxChars),
        '💩'.repeat(limits.contentMaxChars / 2),
      ),
    },
    { weight: 2, arbitrary: nastyString() },
  );
}

/** Generators for the fields whose meaning a schema does not carry, by name (top level). */
function contextField(key: string, schema: SchemaNode, targets: FuzzTargets) {
  switch (key) {
    case 'room':
      // The first rooms (where the clients are) most, each next one less.
      return fc.oneof(
        ...targets.rooms.map((room, i) => ({
          weight: Math.max(1, 8 >> i),
          arbitrary: fc.constant(room),
        })),
        { weight: 2, arbitrary: fromSchema(schema) },
      );
    case 'token':
      return fc.oneof(
        { weight: 6, arbitrary: ref('token') },
        { weight: 1, arbitrary: ref('otherToken') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
            'eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
            'Bearer x',
            'a.b.c',
          ),
        },
        { weight: 1, arbitrary: fromSchema(schema) },
      );
    case 'cid':
      return fc.oneof(
        { weight: 6, arbitrary: ref('cid') },
        { weight: 1, arbitrary: fromSchema(schema) },
      );
    case 'id':
      return fc.oneof(
        { weight: 6, arbitrary: ref('messageId') },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fromSchema(schema) },
      );
    case 'user':
      return fc.oneof(
        { weight: 5, arbitrary: ref('userId') },
        { weight: 1, arbitrary: fromSchema(schema) },
      );
    case 'since':
    case 'replyTo':
    case 'delivered':
    case 'read':
      return fc.oneof(
        { weight: 5, arbitrary: ref('seq') },
        { weight: 1, arbitrary: fromSchema(schema) },
      );
    case 'content':
      return contentArbitrary();
    case 'emoji':
      return schema.enum !== undefined
        ? fromSchema(schema)
        : fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...reactionEmoji) },
            { weight: 1, arbitrary: fromSchema(schema) },
          );
    default:
      return undefined;
  }
}

const frameWeights: Partial<Record<ClientFrameType, number>> = {
  send: 8,
  join: 4,
  leave: 2,
  resume: 2,
  typing: 2,
  receipt: 2,
  edit: 2,
  react: 2,
  cheer: 2,
  authenticate: 2,
};

/** A client frame of any type, shaped by the protocol's schemas (near-valid at times). */
export function frameArbitrary(targets: FuzzTargets): fc.Arbitrary<Tree> {
  const schemas = clientFrameSchemas();
  return fc.oneof(
    ...[...schemas].map(([type, schema]) => ({
      weight: frameWeights[type] ?? 1,
      arbitrary: objectFromSchema(schema, (key, node) => contextField(key, node, targets)),
    })),
  );
}

/**
 * Plain chat in the first room (where everyone is): valid sends, the traffic the node
 * serves between the odd frames, and the messages later edits, reactions and deletes aim at.
 */
export function chatArbitrary(targets: FuzzTargets): fc.Arbitrary<Tree> {
  return fc.tuple(ref('cid'), contentArbitrary()).map(
    ([cid, content]) =>
      new Entries([
        ['type', 'send'],
        ['room', targets.rooms[0] ?? 'global'],
        ['cid', cid],
        ['content', content],
      ]),
  );
}

// ---- mutations ----

/**
 * Strings that have broken chat servers: invisible-only text, bidi overrides and isolates,
 * NUL and controls, lone surrogates (JSON escapes them, JSON.parse hands them back),
 * combining floods, the largest code point, keys of Object.prototype, lengths at and past
 * the content limit in UTF-16 units.
 */
export function nastyString(): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '\u200b',
        '\u200b\u200c\u200d\ufeff',
        '\u202e\u0067\u006e\u0069\u0072\u0074\u0073',
        '\u2066isolate\u2069\u202a',
        '\u0000',
        'a\u0000b',
        '\ud800',
        '\udc00',
        'x\udfffy\ud83d',
        '\ud83d\ude00\ud83d',
        '👨‍👩‍👧‍👦🏳️‍🌈👍🏿',
        `e${'\u0301'.repeat(300)}`,
        '\u{10ffff}\uffff\ufffe',
        'ﷺ'.repeat(50),
        '\r\n\t\v\f',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        '<script>alert(1)</script>',
        '%s%n%x',
        // A template injection probe (the escape keeps it from reading as a template here).
        '\u0024{7*7}',
        'global',
        'x'.repeat(limits.contentMaxChars + 1),
        '💩'.repeat(limits.contentMaxChars / 2 + 1),
        'é'.repeat(limits.frameMaxBytes / 4),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
        maxLength: 20,
      }),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

/** Numbers as written on the wire: bounds of int32, uint32 and 2^53, overflow, underflow, -0. */
export function nastyNumber(): fc.Arbitrary<Tree> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          '0',
          '-0',
          '-1',
          '0.5',
          '1e308',
          '1e309',
          '-1e309',
          '1e-400',
          '2147483648',
          '4294967296',
          '9007199254740991',
          '9007199254740992',
          '9007199254740993',
          '-9007199254740993',
          '18446744073709551616',
          '123456789012345678901234567890',
          '1E2',
          '0.1e1',
          '1.0',
        )
        .map((text) => new RawNumber(text)),
    },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.integer() },
  );
}

/** Nested arrays or objects `depth` levels down (shallow enough to serialize recursively). */
function nested(depth: number, shape: 'array' | 'object'): Tree {
  let tree: Tree = shape === 'array' ? [] : new Entries([]);
  for (let i = 0; i < depth; i++) tree = shape === 'array' ? [tree] : new Entries([['a', tree]]);
  return tree;
}

/** Any value, of any type, for a field that expects something else. */
export function anyValue(): fc.Arbitrary<Tree> {
  return fc.oneof(
    { weight: 3, arbitrary: nastyString() },
    { weight: 3, arbitrary: nastyNumber() },
    { weight: 1, arbitrary: fc.constantFrom<Tree>(null, true, false, [], new Entries([])) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(treeOf) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        nested(50, 'array'),
        nested(50, 'object'),
        new Entries([['__proto__', new Entries([['isAdmin', true]])]]),
        new Entries([['constructor', new Entries([['prototype', new Entries([['x', 1]])]])]]),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom<RefName>('token', 'seq', 'messageId').chain(ref) },
  );
}

const keyArbitrary = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'type',
      'room',
      'cid',
      'content',
      'user',
      'seq',
      'ts',
      'id',
      'admin',
      '',
      '\u0000',
      '💥',
      'k'.repeat(300),
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'add'; key: string; value: Tree }
  | { op: 'replace'; at: number; value: Tree }
  | { op: 'retype'; type: Tree }
  | { op: 'wrap'; how: 'array' | 'string' | 'batch' };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('add' as const), key: keyArbitrary, value: anyValue() }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: anyValue() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('retype' as const),
      type: fc.oneof(
        fc.constantFrom<Tree>(
          'Send',
          'send ',
          'SEND',
          '__proto__',
          'constructor',
          'toString',
          'error',
          'ack',
          'message',
          null,
          1,
        ),
        fc.constantFrom(...clientFrameTypes),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('wrap' as const),
      how: fc.constantFrom('array' as const, 'string' as const, 'batch' as const),
    }),
  },
);

function mutate(tree: Tree, mutation: Mutation): Tree {
  if (mutation.op === 'wrap') {
    if (mutation.how === 'array') return [tree];
    if (mutation.how === 'batch') return [tree, tree, tree];
    // A frame sent as a JSON string of itself: a classic double encoding.
    return serialize(resolve(tree, (r) => r.name));
  }
  if (!(tree instanceof Entries)) return tree;
  const entries = [...tree.entries];
  switch (mutation.op) {
    case 'drop':
      if (entries.length > 0) entries.splice(mutation.at % entries.length, 1);
      break;
    case 'add':
      entries.push([mutation.key, mutation.value]);
      break;
    case 'replace': {
      if (entries.length === 0) break;
      const at = mutation.at % entries.length;
      entries[at] = [entries[at]![0], mutation.value];
      break;
    }
    case 'retype':
      // A second `type`: JSON.parse keeps the last one.
      entries.push(['type', mutation.type]);
      break;
  }
  return new Entries(entries);
}

/** A schema-derived frame with one to three mutations. */
export function mutatedFrameArbitrary(targets: FuzzTargets): fc.Arbitrary<Tree> {
  return fc
    .tuple(frameArbitrary(targets), fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }))
    .map(([tree, mutations]) =>
      // Wrapping last, so the other mutations still find the frame's fields.
      [...mutations]
        .sort((a, b) => Number(a.op === 'wrap') - Number(b.op === 'wrap'))
        .reduce(mutate, tree),
    );
}

// ---- whole actions ----

/** Text that is not a frame: broken JSON, stray JSON values, BOMs, two frames in one. */
function textArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '}',
        '[',
        'null',
        'true',
        '0',
        '"ping"',
        'NaN',
        'Infinity',
        '-',
        '{"type":"ping"',
        '{"type":"ping"}}',
        '{"type":"ping",}',
        "{'type':'ping'}",
        '{"type":"ping"}\u0000',
        '\ufeff{"type":"ping"}',
        ' \n{"type":"ping"}\t',
        '{"type":"ping"}{"type":"ping"}',
        '{"type":"\\u0070ing"}',
        '{"type":"ping","type":"join"}',
        '{"__proto__":{"type":"ping"}}',
        '{"type":"ping","__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}},"type":"ping"}',
        '{"type":"send","room":"global","cid":"lone","content":"\\ud800"}',
        '{"type":"send","room":"global","cid":"bad-escape","content":"\\x41"}',
        '{"type":"join","room":"global\\u0000"}',
        '{"type":"resume","room":"global","since":1e999}',
        '{"type":"resume","room":"global","since":-0}',
        '{"type":"cheer","room":"global","emoji":"🔥","count":1e-400}',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.json({ maxDepth: 3 }), fc.nat())
        .map(([json, cut]) => json.slice(0, cut % (json.length + 1))),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  );
}

/** Bytes: random, or the UTF-8 mistakes a decoder must refuse (overlong, surrogates, cut). */
function bytesArbitrary(): fc.Arbitrary<Action> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc.uint8Array({ maxLength: 300 }),
      binary: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc
        .constantFrom(
          [0xff, 0xfe],
          [0xc0, 0x80],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xf4, 0x90, 0x80, 0x80],
          [0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d],
        )
        .map((b) => Uint8Array.from(b)),
      binary: fc.constant(false),
    }),
  );
}

/** Bytes of `{"type":"send",...,"<field>":` and its closing, around the nesting. */
export const DEEP_OVERHEAD = '{"type":"send","room":"global","cid":"deep","content":"deep","":}'
  .length;

/** Nesting depths: shallow, just within the frame limit, and just past it. */
function deepArbitrary(): fc.Arbitrary<Action> {
  return fc
    .record({
      shape: fc.constantFrom('array' as const, 'object' as const),
      field: fc.constantFrom('extra', 'content', 'attachments', 'room', 'type', '__proto__'),
      fit: fc.constantFrom('shallow' as const, 'edge' as const, 'over' as const),
      slack: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ shape, field, fit, slack }) => {
      // Each level costs 2 bytes as `[]`, 6 as `{"a":}`.
      const perLevel = shape === 'array' ? 2 : 6;
      const fits = Math.floor((limits.frameMaxBytes - DEEP_OVERHEAD - field.length) / perLevel);
      const depth =
        fit === 'shallow' ? slack * 10 + 1 : fit === 'edge' ? fits - slack : fits + 1 + slack;
      return { kind: 'deep' as const, depth, shape, field };
    });
}

export function actionArbitrary(targets: FuzzTargets, mix: FuzzMix): fc.Arbitrary<Action> {
  const frame = frameArbitrary(targets).map((tree) => ({ kind: 'frame' as const, tree }));
  const chat = chatArbitrary(targets).map((tree) => ({ kind: 'frame' as const, tree }));
  const mutated = mutatedFrameArbitrary(targets).map((tree) => ({ kind: 'frame' as const, tree }));
  const text = textArbitrary().map((t) => ({ kind: 'text' as const, text: t }));
  const sized = fc
    .oneof(
      { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(limits.frameMaxBytes, 16 * limits.frameMaxBytes) },
    )
    .map((delta) => ({ kind: 'sized' as const, bytes: limits.frameMaxBytes + delta }));
  const repeat = fc
    .record({
      tree: fc.oneof(
        chatArbitrary(targets),
        frameArbitrary(targets),
        mutatedFrameArbitrary(targets),
      ),
      times: fc.integer({ min: 2, max: 80 }),
    })
    .map(({ tree, times }) => ({ kind: 'repeat' as const, tree, times }));
  const pause = fc.integer({ min: 0, max: 40 }).map((ms) => ({ kind: 'pause' as const, ms }));
  const drop = fc.boolean().map((graceful) => ({ kind: 'drop' as const, graceful }));
  const weights =
    mix === 'frames'
      ? { chat: 6, frame: 12, mutated: 8, text: 1, bytes: 1, sized: 0, deep: 0, repeat: 1 }
      : { chat: 1, frame: 2, mutated: 6, text: 5, bytes: 4, sized: 2, deep: 2, repeat: 1 };
  const all: Array<fc.WeightedArbitrary<Action>> = [
    { weight: weights.chat, arbitrary: chat },
    { weight: weights.frame, arbitrary: frame },
    { weight: weights.mutated, arbitrary: mutated },
    { weight: weights.text, arbitrary: text },
    { weight: weights.bytes, arbitrary: bytesArbitrary() },
    { weight: weights.sized, arbitrary: sized },
    { weight: weights.deep, arbitrary: deepArbitrary() },
    { weight: weights.repeat, arbitrary: repeat },
    { weight: mix === 'frames' ? 2 : 1, arbitrary: pause },
    { weight: mix === 'frames' ? 0 : 1, arbitrary: drop },
  ];
  return fc.oneof(...all.filter((w) => w.weight > 0));
}

const mostly = (weight: number) =>
  fc.oneof({ weight, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

/** A run: how each client starts, then up to `maxSteps` actions of any of them. */
export function scenarioArbitrary(
  targets: FuzzTargets,
  mix: FuzzMix,
  maxSteps = 30,
): fc.Arbitrary<Scenario> {
  const plan = fc.record({
    authenticate: mostly(mix === 'frames' ? 12 : 3),
    joinHome: mostly(6),
  });
  return fc.record({
    clients: fc.array(plan, { minLength: CLIENT_COUNT, maxLength: CLIENT_COUNT }),
    steps: fc.array(
      fc.record({
        who: fc.integer({ min: 0, max: CLIENT_COUNT - 1 }),
        action: actionArbitrary(targets, mix),
      }),
      { minLength: 1, maxLength: maxSteps },
    ),
  });
}
