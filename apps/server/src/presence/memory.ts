import type { RoomId, UserRef } from '@hubbub/protocol';
import type { PresenceStore, RoomHeadcount } from './port.js';

/** Room presence in this process: one node (or several in one test process). */
export class MemoryPresence implements PresenceStore {
  /**
   * room → person → that person and their connections in the room: one connection's id as
   * it is (most people have one; a Set per person is ~150 bytes in a crowd of idle viewers),
   * a Set from the second on.
   */
  private readonly rooms = new Map<
    RoomId,
    Map<string, { user: UserRef; connections: string | Set<string> }>
  >();

  async enter(room: RoomId, user: UserRef, connection: string): Promise<boolean> {
    let people = this.rooms.get(room);
    if (people === undefined) {
      people = new Map();
      this.rooms.set(room, people);
    }
    const present = people.get(user.id);
    if (present !== undefined) {
      const { connections } = present;
      if (typeof connections !== 'string') connections.add(connection);
      else if (connections !== connection) present.connections = new Set([connections, connection]);
      present.user = user;
      return false;
    }
    people.set(user.id, { user, connections: connection });
    return true;
  }

  async exit(room: RoomId, userId: string, connection: string): Promise<boolean> {
    const people = this.rooms.get(room);
    const present = people?.get(userId);
    if (people === undefined || present === undefined) return false;
    const { connections } = present;
    if (typeof connections === 'string') {
      if (connections !== connection) return false;
    } else if (!connections.delete(connection) || connections.size > 0) {
      return false;
    }
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
