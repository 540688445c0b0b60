import type { AuditEntry } from '@hubbub/protocol';

function span(seconds: unknown): string {
  if (typeof seconds !== 'number' || seconds <= 0) return '';
  if (seconds % 3600 === 0) return ` for ${seconds / 3600} h`;
  if (seconds % 60 === 0) return ` for ${seconds / 60} min`;
  return ` for ${seconds} s`;
}

const roleWords: Record<string, string> = {
  owner: 'an owner',
  moderator: 'a moderator',
  member: 'a member',
};

/** One line of a room's audit log in words: "alice muted bob for 10 min". */
export function describeAudit(entry: AuditEntry): string {
  const who = entry.actorName;
  const whom = entry.targetName ?? 'someone';
  const details = entry.details;
  switch (entry.action) {
    case 'delete':
      return `${who} deleted a message`;
    case 'mute':
      return `${who} muted ${whom}${span(details.seconds)}`;
    case 'unmute':
      return `${who} unmuted ${whom}`;
    case 'kick':
      return `${who} kicked ${whom}`;
    case 'ban':
      return `${who} banned ${whom}${span(details.seconds)}`;
    case 'unban':
      return `${who} unbanned ${whom}`;
    case 'slow_mode':
      return typeof details.slowModeSeconds === 'number' && details.slowModeSeconds > 0
        ? `${who} set slow mode to one message every ${details.slowModeSeconds} s`
        : `${who} turned slow mode off`;
    case 'modes':
      return `${who} changed the crowd modes`;
    case 'member_added':
      return `${who} added ${whom}`;
    case 'member_removed':
      return `${who} removed ${whom}`;
    case 'member_left':
      return `${who} left`;
    case 'role':
      return `${who} made ${whom} ${roleWords[String(details.role)] ?? 'a member'}`;
    default:
      return `${who}: ${entry.action}`;
  }
}
