import type { RoomId, UserRef } from '@hubbub/protocol';
import type { PresenceStore, RoomHeadcount } from './port.js';

/** Room presence in this process: one node (or several in one test process). */
export class MemoryPresence implements PresenceStore {
  /** room → person → that person and their connections in the room. */
  private readonly rooms = new Map<
    RoomId,
    Map<string, { user: UserRef; connections: Set<string> }>
  >();

  async enter(room: RoomId, user: UserRef, connection: string): Promise<boolean> {
    let people = this.rooms.get(room);
    if (people === undefined) {
      people = new Map();
      this.rooms.set(room, people);
    }
    const present = people.get(user.id);
    if (present !== undefined) {
      present.connections.add(connection);
      present.user = user;
      return false;
    }
    people.set(user.id, { user, connections: new Set([connection]) });
    return true;
  }

  async exit(room: RoomId, userId: string, connection: string): Promise<boolean> {
    const people = this.rooms.get(room);
    const present = people?.get(userId);
    if (people === undefined || present === undefined || !present.connections.delete(connection))
      return false;
    if (present.connections.size > 0) return false;
    people.delete(userId);
    if (people.size === 0) this.rooms.delete(room);
    return true;
  }

  async headcount(room: RoomId, limit: number): Promise<RoomHeadcount> {
    const people = this.rooms.get(room);
    if (people === undefined) return { users: [], count: 0 };
    const users: UserRef[] = [];
    for (const { user } of people.values()) {
      if (users.length >= limit) break;
      users.push(user);
    }
    return { users, count: people.size };
  }
}
