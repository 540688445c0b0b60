import { type HeldFrame, noModes, type RoomId, type RoomModes } from '@hubbub/protocol';
import type { HubbubClient } from '@hubbub/sdk';

const nothingHeld: readonly HeldFrame[] = [];
/** A held message whose release or removal never reached us is dropped this long after it was due. */
const heldGraceMs = 10_000;

/**
 * What the page knows of each room's crowd rules: its modes (from `joined`, then every
 * switch), whether we moderate it, and the messages its chat delay holds that we may see
 * (our own, or, as a moderator, everyone's). Snapshots are stable objects, replaced on
 * change, for useSyncExternalStore.
 */
export class CrowdState {
  private readonly modes = new Map<RoomId, RoomModes>();
  private readonly moderating = new Set<RoomId>();
  private readonly held = new Map<RoomId, readonly HeldFrame[]>();

  constructor(
    client: HubbubClient,
    me: string,
    private readonly changed: () => void,
  ) {
    client.on('joined', (frame) => {
      this.modes.set(frame.room, frame.modes ?? noModes);
      if (frame.moderator === true) this.moderating.add(frame.room);
      else this.moderating.delete(frame.room);
      this.changed();
    });
    client.on('moderated', (frame) => {
      if (frame.modes !== undefined) {
        this.modes.set(frame.room, frame.modes);
        this.changed();
      }
      if (frame.action === 'delete' && frame.messageId !== undefined)
        this.release(frame.room, frame.messageId);
      // A channel's owner made us a moderator, or took it back: the menus follow at once.
      if (frame.action === 'role' && frame.target === me) {
        if (frame.role === 'member') this.moderating.delete(frame.room);
        else this.moderating.add(frame.room);
        this.changed();
      }
    });
    client.on('held', (frame) => {
      const list = this.held.get(frame.room) ?? nothingHeld;
      if (list.some((held) => held.id === frame.id)) return;
      this.held.set(frame.room, [...list, frame]);
      const dueIn = Date.parse(frame.heldUntil) - Date.now() + heldGraceMs;
      setTimeout(() => this.release(frame.room, frame.id), Math.max(0, dueIn));
      this.changed();
    });
    // Released: the message itself arrives under the id it was held as.
    client.on('message', (message) => this.release(message.room, message.id));
  }

  /** The room's modes, as last told; undefined until its `joined` told them. */
  modesOf(room: RoomId): RoomModes | undefined {
    return this.modes.get(room);
  }

  moderates(room: RoomId): boolean {
    return this.moderating.has(room);
  }

  /** Messages held in the room that we are shown, oldest first. */
  heldIn(room: RoomId): readonly HeldFrame[] {
    return this.held.get(room) ?? nothingHeld;
  }

  private release(room: RoomId, id: string): void {
    const list = this.held.get(room);
    if (list === undefined || !list.some((held) => held.id === id)) return;
    const rest = list.filter((held) => held.id !== id);
    if (rest.length === 0) this.held.delete(room);
    else this.held.set(room, rest);
    this.changed();
  }
}
