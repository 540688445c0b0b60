import type { ModeratedFrame } from '@hubbub/protocol';

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
  const where = `#${frame.room}`;
  if (frame.action === 'slow_mode') {
    return frame.seconds === undefined || frame.seconds === 0
      ? `Slow mode is off in ${where}.`
      : `Slow mode is on in ${where}: one message every ${frame.seconds} s.`;
  }
  if (frame.action === 'delete' || frame.target === undefined) return undefined;
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
