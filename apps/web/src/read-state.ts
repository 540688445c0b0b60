import type { ChatMessage, MyRooms, RoomId, UserRef } from '@hubbub/protocol';
import { mentionsLogin } from './mentions.js';

export interface Pointers {
  user: UserRef;
  delivered: number;
  read: number;
}

type Base = MyRooms['rooms'][number];

const none: ReadonlyMap<string, Pointers> = new Map();

/**
 * How far everyone has got in each channel and DM, and so what is unread here. The server
 * keeps the truth (`GET /api/me/rooms` at load, `receipt` frames after); this adds what
 * happened since: messages that arrived, and reads on this or another device.
 */
export class ReadState {
  /** room → user → their pointers; a room's map is replaced on change (a stable snapshot). */
  private readonly rooms = new Map<RoomId, ReadonlyMap<string, Pointers>>();
  private readonly bases = new Map<RoomId, Base>();

  /** My login, once the server said it (guests have none, and nobody can mention them). */
  login: string | undefined;

  constructor(private readonly me: string) {}

  /** The server's counts, as of now. */
  setBase(rooms: readonly Base[]): void {
    this.bases.clear();
    for (const room of rooms) this.bases.set(room.room, room);
  }

  /** Someone's pointers moved (a frame or a snapshot): keeps the furthest of each. */
  advance(room: RoomId, next: Pointers): boolean {
    const people = this.rooms.get(room) ?? none;
    const current = people.get(next.user.id);
    if (current !== undefined && current.delivered >= next.delivered && current.read >= next.read)
      return false;
    const merged: Pointers = {
      user: next.user,
      delivered: Math.max(current?.delivered ?? 0, next.delivered),
      read: Math.max(current?.read ?? 0, next.read),
    };
    this.rooms.set(room, new Map(people).set(next.user.id, merged));
    return true;
  }

  /** Everyone's pointers in `room` (the same object until one moves). */
  pointers(room: RoomId): ReadonlyMap<string, Pointers> {
    return this.rooms.get(room) ?? none;
  }

  /** How far this person has read, on any device. */
  myRead(room: RoomId): number {
    return Math.max(this.bases.get(room)?.read ?? 0, this.pointers(room).get(this.me)?.read ?? 0);
  }

  /**
   * Others' messages after my read pointer. While the pointer has not moved since the
   * server counted, that count plus what arrived after it; once it moved, counted from the
   * timeline, which holds the recent messages that a read must have reached.
   */
  unread(room: RoomId, messages: readonly ChatMessage[]): number {
    return this.count(room, messages, 'unread', () => true);
  }

  /** Of those, the ones that `@mention` me, counted the same way. */
  mentions(room: RoomId, messages: readonly ChatMessage[]): number {
    const login = this.login;
    if (login === undefined) return this.bases.get(room)?.mentions ?? 0;
    return this.count(room, messages, 'mentions', (m) => mentionsLogin(m, login));
  }

  private count(
    room: RoomId,
    messages: readonly ChatMessage[],
    counted: 'unread' | 'mentions',
    matches: (message: ChatMessage) => boolean,
  ): number {
    const base = this.bases.get(room);
    const read = this.myRead(room);
    const after = (seq: number) =>
      messages.reduce(
        (n, m) => (m.seq > seq && m.user.id !== this.me && !m.deleted && matches(m) ? n + 1 : n),
        0,
      );
    if (base !== undefined && read <= base.read) return base[counted] + after(base.lastSeq);
    return after(read);
  }
}
