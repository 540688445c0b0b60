import { describe, expect, test } from 'vitest';
import { decodeClientFrame, decodeServerFrame, encodeServerFrame } from '../src/codec.js';
import type { ServerFrame } from '../src/frames.js';
import { limits } from '../src/limits.js';

const ok = (text: unknown) =>
  decodeClientFrame(typeof text === 'string' ? text : JSON.stringify(text));

describe('decodeClientFrame', () => {
  test('accepts one valid frame of every type', () => {
    const valid = [
      { type: 'authenticate', token: 't' },
      { type: 'join', room: 'global' },
      { type: 'leave', room: 'event:123' },
      { type: 'send', room: 'global', cid: 'c1', content: 'hi' },
      { type: 'resume', room: 'global', since: 0 },
      { type: 'resume', room: 'global', since: 41, epoch: 'e' },
      { type: 'ping' },
    ];
    for (const frame of valid) expect(ok(frame)).toEqual({ ok: true, frame });
  });

  test('classifies what it refuses', () => {
    expect(ok('{nope')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(ok('"a string"')).toMatchObject({ ok: false, code: 'invalid_frame' });
    expect(ok('null')).toMatchObject({ ok: false, code: 'invalid_frame' });
    expect(ok([{ type: 'ping' }])).toMatchObject({ ok: false, code: 'invalid_frame' });
    expect(ok({ room: 'global' })).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(ok({ type: 'shout' })).toEqual({
      ok: false,
      code: 'unknown_type',
      message: expect.any(String),
      ref: 'shout',
    });
  });

  test('a send that breaks the rules names its cid, so the client knows which one', () => {
    const tooLong = ok({
      type: 'send',
      room: 'global',
      cid: 'c9',
      content: 'x'.repeat(limits.contentMaxChars + 1),
    });
    expect(tooLong).toMatchObject({ ok: false, code: 'invalid_frame', ref: 'c9' });
    expect(
      ok({ type: 'send', room: 'global', cid: 'c9', content: 'x'.repeat(limits.contentMaxChars) })
        .ok,
    ).toBe(true);
    expect(ok({ type: 'send', room: 'global', cid: 'w', content: ' \n\t ' })).toMatchObject({
      ok: false,
      ref: 'w',
    });
    expect(ok({ type: 'send', room: 'global', cid: '', content: 'x' })).toMatchObject({
      ok: false,
    });
    expect(ok({ type: 'send', room: 'global', cid: 'x'.repeat(65), content: 'x' })).toMatchObject({
      ok: false,
    });
  });

  test('room names: lowercase, 1-64, start with a letter or digit', () => {
    for (const room of ['Global', '', 'x'.repeat(65), '-lead', 'has space', 'émoji']) {
      expect(ok({ type: 'join', room }), room).toMatchObject({ ok: false, code: 'invalid_frame' });
    }
    for (const room of ['a', 'x'.repeat(64), 'event:42', 'dm:a:b', 'my_room-2.0']) {
      expect(ok({ type: 'join', room }).ok, room).toBe(true);
    }
  });

  test('resume positions must be whole, non-negative numbers', () => {
    for (const since of [-1, 1.5, '3', null]) {
      expect(ok({ type: 'resume', room: 'r', since })).toMatchObject({
        ok: false,
        code: 'invalid_frame',
      });
    }
  });

  test('unknown extra fields are dropped, not refused', () => {
    expect(ok({ type: 'join', room: 'r', future: true })).toEqual({
      ok: true,
      frame: { type: 'join', room: 'r' },
    });
  });
});

describe('server frames', () => {
  const message = {
    room: 'global',
    seq: 1,
    id: 'i',
    user: { id: 'u', name: 'U' },
    content: 'c',
    ts: '2026-11-22T10:00:00.000Z',
  };
  const all: ServerFrame[] = [
    { type: 'ready', user: { id: 'u', name: 'U' }, session: 's', protocol: 1 },
    { type: 'ready', user: { id: 'u', name: 'U' }, login: 'u', session: 's', protocol: 1 },
    { type: 'joined', room: 'global', seq: 1, epoch: 'e', messages: [message] },
    { type: 'message', ...message },
    { type: 'batch', room: 'global', messages: [message, { ...message, seq: 2 }] },
    { type: 'ack', cid: 'c', room: 'global', id: 'i', seq: 1 },
    { type: 'reset', room: 'global', seq: 9, epoch: 'e' },
    { type: 'left', room: 'global' },
    { type: 'room_added', room: 'dm:x', kind: 'dm', by: { id: 'u', name: 'U' } },
    { type: 'mentioned', message: { ...message, content: 'hi @u' } },
    { type: 'presence', room: 'global', count: 1, users: [{ id: 'u', name: 'U' }] },
    { type: 'presence', room: 'event:1', count: 50_000 },
    { type: 'typing', room: 'global', user: { id: 'u', name: 'U' } },
    { type: 'receipt', room: 'general', user: { id: 'u', name: 'U' }, delivered: 3, read: 2 },
    { type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c' },
    { type: 'pong' },
  ];

  test('every server frame survives encode → decode unchanged', () => {
    for (const frame of all)
      expect(decodeServerFrame(encodeServerFrame(frame))).toEqual({ ok: true, frame });
  });

  test('the SDK side refuses what is not a valid server frame', () => {
    expect(decodeServerFrame('{"type":"message","room":"global"}')).toMatchObject({
      ok: false,
      code: 'invalid_frame',
    });
    expect(decodeServerFrame('garbage')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(decodeServerFrame('{"type":"error","code":"made_up","message":"x"}')).toMatchObject({
      ok: false,
    });
  });
});
