import {
  type AuditEntry,
  type ChannelMember,
  noModes,
  type RoomModes,
  type UserRef,
} from '@hubbub/protocol';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { newEpoch } from '../store/kysely-store.js';
import type { Database } from '../store/schema.js';
import { modesOf } from './modes.js';
import type {
  ChannelsTable,
  Role,
  RoomKind,
  RoomModesTable,
  SanctionKind,
  Visibility,
} from './schema.js';

export type ChannelRow = Selectable<ChannelsTable>;

export interface Sanction {
  kind: SanctionKind;
  /** ms since the epoch, or null for "until lifted". */
  until: number | null;
}

export class ChannelExists extends Error {
  override name = 'ChannelExists';
}

/** Queries of the channels feature, shared by SQLite and PostgreSQL. */
export class ChannelStore {
  constructor(private readonly db: Kysely<Database>) {}

  findChannel(roomId: string): Promise<ChannelRow | undefined> {
    return this.db
      .selectFrom('channels')
      .selectAll()
      .where('room_id', '=', roomId)
      .executeTakeFirst();
  }

  /** Whether a room of that name has a head: an open room someone opened, or any room used. */
  async roomExists(roomId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('rooms')
      .select('id')
      .where('id', '=', roomId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Opens an open room for `userId` (its head, as MessageStore.openRoom makes it) unless
   * they opened `limit` rooms after `since`: false then. A room that exists by now (a race
   * with someone else opening it) is simply there, and counts for nobody.
   */
  async openRoom(roomId: string, userId: string, limit: number, since: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const opened = await tx
        .selectFrom('room_openers')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('user_id', '=', userId)
        .where('opened_at', '>', since)
        .executeTakeFirst();
      if (Number(opened?.n ?? 0) >= limit) return false;
      const now = Date.now();
      const inserted = await tx
        .insertInto('rooms')
        .values({ id: roomId, epoch: newEpoch(), seq: 0, created_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
        await tx
          .insertInto('room_openers')
          .values({ room_id: roomId, user_id: userId, opened_at: now })
          .onConflict((oc) => oc.column('room_id').doUpdateSet({ user_id: userId, opened_at: now }))
          .execute();
      return true;
    });
  }

  /**
   * Open rooms that never had a message, made before `before`, by name after `after`
   * (for paging), at most `limit`: what the collector looks at. Channels, DMs and feature
   * rooms (names with a `:`, event rooms) are never among them.
   */
  async emptyOpenRooms(before: number, after: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('rooms')
      .select('id')
      .where('seq', '=', 0)
      .where('created_at', '<', before)
      .where('id', '>', after)
      .where('id', 'not like', '%:%')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('channels')
              .select('room_id')
              .whereRef('channels.room_id', '=', 'rooms.id'),
          ),
        ),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Deletes an open room that still never had a message and is no channel: its head and
   * who opened it. False if it no longer qualifies (a message came, a channel took it).
   */
  async dropEmptyRoom(roomId: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const deleted = await tx
        .deleteFrom('rooms')
        .where('id', '=', roomId)
        .where('seq', '=', 0)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('channels')
                .select('room_id')
                .whereRef('channels.room_id', '=', 'rooms.id'),
            ),
          ),
        )
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await tx.deleteFrom('room_openers').where('room_id', '=', roomId).execute();
      await tx.deleteFrom('room_receipts').where('room_id', '=', roomId).execute();
      return true;
    });
  }

  /** Creates a channel (or DM room) with its first members; ChannelExists if the id is used. */
  async createRoom(
    input: {
      roomId: string;
      kind: RoomKind;
      visibility: Visibility;
      topic: string;
      createdBy: string | null;
    },
    members: Array<{ userId: string; role: Role }>,
  ): Promise<ChannelRow> {
    const now = Date.now();
    const row: ChannelRow = {
      room_id: input.roomId,
      kind: input.kind,
      visibility: input.visibility,
      topic: input.topic,
      created_by: input.createdBy,
      created_at: now,
    };
    // A name that is an open room (opened by someone, or holding messages) cannot become a
    // channel; an open room that never had a message is collected after a while.
    const used = await this.db
      .selectFrom('rooms')
      .select('id')
      .where('id', '=', input.roomId)
      .executeTakeFirst();
    if (used !== undefined) throw new ChannelExists(input.roomId);
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('channels')
        .values(row)
        .onConflict((oc) => oc.column('room_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
        throw new ChannelExists(input.roomId);
      for (const member of members) {
        await tx
          .insertInto('room_members')
          .values({
            room_id: input.roomId,
            user_id: member.userId,
            role: member.role,
            added_at: now,
          })
          .execute();
      }
    });
    return row;
  }

  /**
   * Public channels, and the private ones and DMs `userId` belongs to; for a DM, the other
   * person (`peer`), so a client can name it.
   */
  async visibleChannels(userId: string): Promise<
    Array<
      ChannelRow & {
        members: number;
        role: Role | null;
        peer: UserRef | null;
        slow_mode_seconds: number;
      }
    >
  > {
    const rows = await this.db
      .selectFrom('channels')
      .leftJoin('room_modes', 'room_modes.room_id', 'channels.room_id')
      .leftJoin('room_members as mine', (join) =>
        join.onRef('mine.room_id', '=', 'channels.room_id').on('mine.user_id', '=', userId),
      )
      .leftJoin('dms', 'dms.room_id', 'channels.room_id')
      .leftJoin('users as peer', (join) =>
        join.on((eb) =>
          eb(
            'peer.id',
            '=',
            eb
              .case()
              .when('dms.user_low', '=', userId)
              .then(eb.ref('dms.user_high'))
              .else(eb.ref('dms.user_low'))
              .end(),
          ),
        ),
      )
      .selectAll('channels')
      .select([
        'mine.role as role',
        'peer.id as peer_id',
        'peer.display_name as peer_name',
        'room_modes.slow_mode_seconds',
      ])
      .select((eb) =>
        eb
          .selectFrom('room_members')
          .whereRef('room_members.room_id', '=', 'channels.room_id')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .as('members'),
      )
      .where((eb) =>
        eb.or([eb('channels.visibility', '=', 'public'), eb('mine.user_id', 'is not', null)]),
      )
      .orderBy('channels.room_id')
      .execute();
    return rows.map(({ peer_id, peer_name, ...row }) => ({
      ...row,
      members: Number(row.members ?? 0),
      slow_mode_seconds: Number(row.slow_mode_seconds ?? 0),
      role: row.role ?? null,
      peer: peer_id != null && peer_name != null ? { id: peer_id, name: peer_name } : null,
    }));
  }

  /** Every channel and DM `userId` is a member of. */
  async memberRooms(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('room_members')
      .select('room_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((row) => row.room_id);
  }

  async role(roomId: string, userId: string): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom('room_members')
      .select('role')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role;
  }

  /** A channel's members with their names, oldest member first. */
  async members(roomId: string): Promise<ChannelMember[]> {
    const rows = await this.db
      .selectFrom('room_members')
      .innerJoin('users', 'users.id', 'room_members.user_id')
      .select(['user_id', 'role', 'added_at', 'users.display_name', 'users.username'])
      .where('room_id', '=', roomId)
      .orderBy('added_at')
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      name: r.display_name,
      username: r.username,
      role: r.role,
      addedAt: Number(r.added_at),
    }));
  }

  /**
   * Gives a member `role`, or removes them (`undefined`), unless that would leave the channel
   * without an owner while others remain in it: then 'last_owner', and nothing changes. The
   * count and the write are one transaction that first writes the channel's row, so changes
   * to one channel's members run one after another (PostgreSQL's row lock; SQLite's single
   * writer) and two owners stepping down at once cannot both get through.
   */
  changeMemberKeepingOwner(
    roomId: string,
    userId: string,
    role: Role | undefined,
  ): Promise<'done' | 'last_owner'> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('channels')
        .set({ room_id: roomId })
        .where('room_id', '=', roomId)
        .execute();
      const members = await tx
        .selectFrom('room_members')
        .select(['user_id', 'role'])
        .where('room_id', '=', roomId)
        .execute();
      const stepsDown =
        members.some((m) => m.user_id === userId && m.role === 'owner') && role !== 'owner';
      const ownersLeft = members.filter((m) => m.role === 'owner' && m.user_id !== userId).length;
      const othersLeft = members.some((m) => m.user_id !== userId);
      // The last person out may go, owner or not: there is no one left to hand it to.
      if (stepsDown && ownersLeft === 0 && (role !== undefined || othersLeft)) return 'last_owner';
      if (role === undefined)
        await tx
          .deleteFrom('room_members')
          .where('room_id', '=', roomId)
          .where('user_id', '=', userId)
          .execute();
      else
        await tx
          .insertInto('room_members')
          .values({ room_id: roomId, user_id: userId, role, added_at: Date.now() })
          .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ role }))
          .execute();
      return 'done';
    });
  }

  /** Adds a member or changes their role. */
  async setMember(roomId: string, userId: string, role: Role): Promise<void> {
    await this.db
      .insertInto('room_members')
      .values({ room_id: roomId, user_id: userId, role, added_at: Date.now() })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doUpdateSet({ role }))
      .execute();
  }

  async removeMember(roomId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('room_members')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async sanctions(roomId: string, userId: string): Promise<Sanction[]> {
    const rows = await this.db
      .selectFrom('room_sanctions')
      .select(['kind', 'until'])
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => ({ kind: r.kind, until: r.until === null ? null : Number(r.until) }));
  }

  async setSanction(roomId: string, userId: string, sanction: Sanction, by: string): Promise<void> {
    await this.db
      .insertInto('room_sanctions')
      .values({
        room_id: roomId,
        user_id: userId,
        kind: sanction.kind,
        until: sanction.until,
        by_user_id: by,
        created_at: Date.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['room_id', 'user_id', 'kind'])
          .doUpdateSet({ until: sanction.until, by_user_id: by }),
      )
      .execute();
  }

  async liftSanction(roomId: string, userId: string, kind: SanctionKind): Promise<void> {
    await this.db
      .deleteFrom('room_sanctions')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .execute();
  }

  /** An account's login, lower case (undefined for guests and unknown ids). */
  async login(userId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('username')
      .where('id', '=', userId)
      .executeTakeFirst();
    return row?.username ?? undefined;
  }

  /** The room's crowd modes (none on when it has no row). */
  async modes(roomId: string): Promise<RoomModes> {
    const row = await this.db
      .selectFrom('room_modes')
      .selectAll()
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    return row === undefined ? { ...noModes } : modesOf(row);
  }

  /**
   * Switches some of a room's modes and answers all of them as stored. Only the columns
   * named are written, so two moderators switching different modes at once (on two nodes,
   * each with its own cached copy) both get their switch.
   */
  async setModes(roomId: string, change: Partial<RoomModes>): Promise<RoomModes> {
    // A room's first switch makes its row: the rest of its modes off.
    const first = { ...noModes, ...change };
    const row = await this.db
      .insertInto('room_modes')
      .values({
        room_id: roomId,
        slow_mode_seconds: first.slowModeSeconds,
        members_only: first.membersOnly ? 1 : 0,
        emote_only: first.emoteOnly ? 1 : 0,
        unique_chat_seconds: first.uniqueChatSeconds,
        delay_seconds: first.delaySeconds,
        updated_at: Date.now(),
      })
      .onConflict((oc) => oc.column('room_id').doUpdateSet(changedColumns(change)))
      .returningAll()
      .executeTakeFirstOrThrow();
    return modesOf(row);
  }

  /**
   * Everyone with a role or a sanction in the room, in two queries: for open rooms, where
   * they are few (moderators, the sanctioned) and a crowd is many.
   */
  async roster(
    roomId: string,
  ): Promise<Map<string, { role: Role | undefined; sanctions: Sanction[] }>> {
    const [members, sanctions] = await Promise.all([
      this.db
        .selectFrom('room_members')
        .select(['user_id', 'role'])
        .where('room_id', '=', roomId)
        .execute(),
      this.db
        .selectFrom('room_sanctions')
        .select(['user_id', 'kind', 'until'])
        .where('room_id', '=', roomId)
        .execute(),
    ]);
    const roster = new Map<string, { role: Role | undefined; sanctions: Sanction[] }>();
    const entry = (userId: string) => {
      let found = roster.get(userId);
      if (found === undefined) {
        found = { role: undefined, sanctions: [] };
        roster.set(userId, found);
      }
      return found;
    };
    for (const row of members) entry(row.user_id).role = row.role;
    for (const row of sanctions)
      entry(row.user_id).sanctions.push({
        kind: row.kind,
        until: row.until === null ? null : Number(row.until),
      });
    return roster;
  }

  /** The DM room of two users, if they have one. */
  async findDm(a: string, b: string): Promise<string | undefined> {
    const [low, high] = a < b ? [a, b] : [b, a];
    const row = await this.db
      .selectFrom('dms')
      .select('room_id')
      .where('user_low', '=', low)
      .where('user_high', '=', high)
      .executeTakeFirst();
    return row?.room_id;
  }

  /** Opens the one DM room of a pair (or returns the one a racing call opened). */
  async openDm(a: string, b: string): Promise<string> {
    const existing = await this.findDm(a, b);
    if (existing !== undefined) return existing;
    const [low, high] = a < b ? [a, b] : [b, a];
    const roomId = `dm:${uuidv7()}`;
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('dms')
        .values({ user_low: low, user_high: high, room_id: roomId })
        .onConflict((oc) => oc.columns(['user_low', 'user_high']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      const now = Date.now();
      await tx
        .insertInto('channels')
        .values({
          room_id: roomId,
          kind: 'dm',
          visibility: 'private',
          topic: '',
          created_by: a,
          created_at: now,
        })
        .execute();
      for (const userId of [low, high]) {
        await tx
          .insertInto('room_members')
          .values({ room_id: roomId, user_id: userId, role: 'member', added_at: now })
          .execute();
      }
    });
    return (await this.findDm(a, b))!;
  }

  async audit(entry: {
    roomId: string;
    actorId: string;
    action: string;
    targetUserId?: string | undefined;
    messageId?: string | undefined;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.db
      .insertInto('moderation_log')
      .values({
        id: uuidv7(),
        room_id: entry.roomId,
        actor_id: entry.actorId,
        action: entry.action,
        target_user_id: entry.targetUserId ?? null,
        message_id: entry.messageId ?? null,
        details: JSON.stringify(entry.details ?? {}),
        created_at: Date.now(),
      })
      .execute();
  }

  /** The room's audit log, newest first, with the names of who acted and on whom. */
  async auditLog(roomId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('moderation_log')
      .leftJoin('users as actor', 'actor.id', 'moderation_log.actor_id')
      .leftJoin('users as target', 'target.id', 'moderation_log.target_user_id')
      .selectAll('moderation_log')
      .select(['actor.display_name as actor_name', 'target.display_name as target_name'])
      .where('room_id', '=', roomId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      action: r.action,
      actor: r.actor_id,
      // Guests have no row in the accounts table, so no name to show.
      actorName: r.actor_name ?? 'a guest',
      target: r.target_user_id,
      targetName: r.target_user_id === null ? null : (r.target_name ?? 'a guest'),
      messageId: r.message_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
      at: new Date(Number(r.created_at)).toISOString(),
    }));
  }
}

/** The columns of the modes a switch names, and nothing else. */
function changedColumns(change: Partial<RoomModes>): Updateable<RoomModesTable> {
  const row: Updateable<RoomModesTable> = { updated_at: Date.now() };
  if (change.slowModeSeconds !== undefined) row.slow_mode_seconds = change.slowModeSeconds;
  if (change.membersOnly !== undefined) row.members_only = change.membersOnly ? 1 : 0;
  if (change.emoteOnly !== undefined) row.emote_only = change.emoteOnly ? 1 : 0;
  if (change.uniqueChatSeconds !== undefined) row.unique_chat_seconds = change.uniqueChatSeconds;
  if (change.delaySeconds !== undefined) row.delay_seconds = change.delaySeconds;
  return row;
}
