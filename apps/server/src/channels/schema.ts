/** The tables of the channels feature: rooms with rules. Times are ms since the epoch. */
export interface ChannelTables {
  channels: ChannelsTable;
  room_members: RoomMembersTable;
  room_sanctions: RoomSanctionsTable;
  room_modes: RoomModesTable;
  dms: DmsTable;
  moderation_log: ModerationLogTable;
  room_openers: RoomOpenersTable;
}

export type RoomKind = 'channel' | 'dm';
export type Visibility = 'public' | 'private';
export type Role = 'owner' | 'moderator' | 'member';
/** Roles in order of authority: nobody acts on someone of equal or higher rank. */
export const roleRank: Record<Role, number> = { member: 1, moderator: 2, owner: 3 };
export type SanctionKind = 'mute' | 'ban';

/**
 * A room with rules. Rooms without a row here are open rooms (`global`, event rooms): anyone
 * may join, guests included.
 */
export interface ChannelsTable {
  room_id: string;
  kind: RoomKind;
  visibility: Visibility;
  topic: string;
  created_by: string | null;
  created_at: number;
}

/**
 * The crowd modes of a room, any room (channels, event rooms, `global`); a room without a
 * row has none on. Booleans are 0/1 integers, alike on both engines.
 */
export interface RoomModesTable {
  room_id: string;
  slow_mode_seconds: number;
  members_only: number;
  emote_only: number;
  unique_chat_seconds: number;
  delay_seconds: number;
  updated_at: number;
}

export interface RoomMembersTable {
  room_id: string;
  user_id: string;
  role: Role;
  added_at: number;
}

/** Mutes and bans; `until` null means until lifted. */
export interface RoomSanctionsTable {
  room_id: string;
  user_id: string;
  kind: SanctionKind;
  until: number | null;
  by_user_id: string;
  created_at: number;
}

/** The one DM room of a pair of users, keyed by the pair in sorted order. */
export interface DmsTable {
  user_low: string;
  user_high: string;
  room_id: string;
}

/** Every moderation action, who did it and to whom: the audit trail. */
export interface ModerationLogTable {
  id: string;
  room_id: string;
  actor_id: string;
  action: string;
  target_user_id: string | null;
  message_id: string | null;
  details: string;
  created_at: number;
}

/**
 * Who opened an open room by joining an unused name, and when: what an account's hourly
 * allowance (ROOMS_PER_ACCOUNT_PER_HOUR) counts. Gone with its room when that is collected.
 */
export interface RoomOpenersTable {
  room_id: string;
  user_id: string;
  opened_at: number;
}
