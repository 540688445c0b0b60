import type { RoomId } from '@hubbub/protocol';

/**
 * The open rooms that exist without anyone opening them: `global`, and those OPEN_ROOMS
 * names, exactly or, for an entry ending in `*`, by its beginning (`*` alone: every name).
 * Anyone may join them, guests included; their names cannot become channels.
 */
export class StandingRooms {
  private readonly names = new Set<string>(['global']);
  private readonly prefixes: string[] = [];

  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      if (entry.endsWith('*')) this.prefixes.push(entry.slice(0, -1));
      else this.names.add(entry);
    }
  }

  /** Whether the name is one of these rooms by name (`global`, or an exact OPEN_ROOMS entry). */
  named(room: RoomId): boolean {
    return this.names.has(room);
  }

  has(room: RoomId): boolean {
    return this.names.has(room) || this.prefixes.some((prefix) => room.startsWith(prefix));
  }
}
