import type { RoomId } from '@hubbub/protocol';
import type { NodeSignal, NoticeListener, Signals } from './port.js';

/**
 * Signals within one process (the embedded mode, or several nodes in one test process):
 * delivered synchronously, so a notice reaches local members in the same turn it is sent.
 */
export class LocalSignals implements Signals {
  private readonly rooms = new Map<RoomId, Set<NoticeListener>>();
  private readonly listeners = new Set<(signal: NodeSignal) => void>();

  notice(room: RoomId, encoded: Uint8Array, except?: string): void {
    for (const listener of this.rooms.get(room) ?? []) listener(encoded, except);
  }

  listenRoom(room: RoomId, listener: NoticeListener): () => void {
    let listeners = this.rooms.get(room);
    if (listeners === undefined) {
      listeners = new Set();
      this.rooms.set(room, listeners);
    }
    listeners.add(listener);
    const mine = listeners;
    return () => {
      mine.delete(listener);
      if (mine.size === 0 && this.rooms.get(room) === mine) this.rooms.delete(room);
    };
  }

  broadcast(signal: NodeSignal): void {
    for (const listener of this.listeners) listener(signal);
  }

  listen(listener: (signal: NodeSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.rooms.clear();
    this.listeners.clear();
  }
}
