import type { ModeratedFrame, RoomModes } from '@hubbub/protocol';

/** The crowd modes on, in words ("emote-only, 10 s delay"), or "no crowd modes". */
export function modeSummary(modes: RoomModes): string {
  const on = [
    modes.slowModeSeconds > 0 && `slow mode ${modes.slowModeSeconds} s`,
    modes.membersOnly && 'members-only',
    modes.emoteOnly && 'emote-only',
    modes.uniqueChatSeconds > 0 && `unique chat (${modes.uniqueChatSeconds} s)`,
    modes.delaySeconds > 0 && `${modes.delaySeconds} s delay`,
  ].filter((part): part is string => part !== false);
  return on.length === 0 ? 'no crowd modes' : on.join(', ');
}

function describeModes(modes: RoomModes, where: string): string {
  const summary = modeSummary(modes);
  return summary === 'no crowd modes'
    ? `Crowd modes are off in ${where}.`
    : `${where.charAt(0).toUpperCase()}${where.slice(1)} is now: ${summary}.`;
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined || seconds === 0) return '';
  if (seconds % 3600 === 0) return ` for ${seconds / 3600} h`;
  if (seconds % 60 === 0) return ` for ${seconds / 60} min`;
  return ` for ${seconds} s`;
}

/**
 * What a moderation notice means to the person reading it, or undefined when it is none of
 * their business (someone else muted someone else). Deletions show in the timeline instead.
 */
export function describeModeration(
  frame: ModeratedFrame,
  me: string,
  nameOf: (userId: string) => string,
): string | undefined {
  // An event's room has an id, not a name: it is simply this room to the people in it.
  const where = frame.room.startsWith('event:') ? 'this room' : `#${frame.room}`;
  if (frame.action === 'slow_mode') {
    return frame.seconds === undefined || frame.seconds === 0
      ? `Slow mode is off in ${where}.`
      : `Slow mode is on in ${where}: one message every ${frame.seconds} s.`;
  }
  if (frame.action === 'modes') return frame.modes && describeModes(frame.modes, where);
  if (frame.action === 'delete' || frame.target === undefined) return undefined;
  if (frame.action === 'role') {
    const role = { owner: 'an owner', moderator: 'a moderator', member: 'a member' }[
      frame.role ?? 'member'
    ];
    // The owner who did it sees it in the members panel; the member is told.
    return frame.target === me && frame.actor.id !== me
      ? `${frame.actor.name} made you ${role} of ${where}.`
      : undefined;
  }
  const verb = {
    mute: 'muted',
    unmute: 'unmuted',
    kick: 'kicked',
    ban: 'banned',
    unban: 'unbanned',
  }[frame.action];
  const span = frame.action === 'mute' || frame.action === 'ban' ? duration(frame.seconds) : '';
  if (frame.target === me) return `${frame.actor.name} ${verb} you in ${where}${span}.`;
  if (frame.actor.id === me) return `You ${verb} ${nameOf(frame.target)} in ${where}${span}.`;
  return undefined;
}
