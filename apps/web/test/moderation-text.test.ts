import type { ModeratedFrame } from '@hubbub/protocol';
import { describe, expect, test } from 'vitest';
import { describeModeration } from '../src/moderation-text.js';

const mod = { id: 'm', name: 'Mod' };
const names: Record<string, string> = { b: 'Bob' };
const frame = (extra: Partial<ModeratedFrame>): ModeratedFrame => ({
  type: 'moderated',
  room: 'stage',
  action: 'mute',
  actor: mod,
  ...extra,
});
const say = (f: ModeratedFrame, me: string) =>
  describeModeration(f, me, (id) => names[id] ?? 'someone');

describe('moderation notices', () => {
  test('the target hears what happened to them, with how long', () => {
    expect(say(frame({ target: 'b', seconds: 600 }), 'b')).toBe(
      'Mod muted you in #stage for 10 min.',
    );
    expect(say(frame({ action: 'ban', target: 'b', seconds: 7200 }), 'b')).toBe(
      'Mod banned you in #stage for 2 h.',
    );
    expect(say(frame({ action: 'ban', target: 'b' }), 'b')).toBe('Mod banned you in #stage.');
  });

  test('a member given a role is told; the owner sees it in the panel, bystanders hear nothing', () => {
    const role = frame({ action: 'role', target: 'b', role: 'moderator' });
    expect(say(role, 'b')).toBe('Mod made you a moderator of #stage.');
    expect(say({ ...role, role: 'member' }, 'b')).toBe('Mod made you a member of #stage.');
    expect(say({ ...role, role: 'owner' }, 'b')).toBe('Mod made you an owner of #stage.');
    expect(say(role, 'm')).toBeUndefined();
    expect(say(role, 'someone-else')).toBeUndefined();
  });

  test('the moderator gets a confirmation naming the target; bystanders hear nothing', () => {
    expect(say(frame({ action: 'kick', target: 'b' }), 'm')).toBe('You kicked Bob in #stage.');
    expect(say(frame({ target: 'b', seconds: 45 }), 'someone-else')).toBeUndefined();
    expect(say(frame({ action: 'delete', seq: 3 }), 'm')).toBeUndefined();
  });

  test('slow mode is news to everyone in the room', () => {
    expect(say(frame({ action: 'slow_mode', seconds: 30 }), 'x')).toBe(
      'Slow mode is on in #stage: one message every 30 s.',
    );
    expect(say(frame({ action: 'slow_mode', seconds: 0 }), 'x')).toBe(
      'Slow mode is off in #stage.',
    );
  });

  test('crowd modes are news to everyone, in words; an event room is "this room"', () => {
    const modes = {
      slowModeSeconds: 0,
      membersOnly: true,
      emoteOnly: false,
      uniqueChatSeconds: 30,
      delaySeconds: 5,
    };
    expect(say(frame({ action: 'modes', modes }), 'x')).toBe(
      '#stage is now: members-only, unique chat (30 s), 5 s delay.',
    );
    expect(
      say(
        frame({
          action: 'modes',
          room: 'event:abc',
          modes: { ...modes, membersOnly: false, uniqueChatSeconds: 0, delaySeconds: 0 },
        }),
        'x',
      ),
    ).toBe('Crowd modes are off in this room.');
    expect(say(frame({ action: 'modes', room: 'event:abc', modes }), 'x')).toMatch(
      /^This room is now: /,
    );
  });
});
