import type { CidKey, StoredMessage } from '../store/port.js';

interface Question {
  key: CidKey;
  resolve(message: StoredMessage | undefined): void;
  reject(error: unknown): void;
}

const keyOf = (room: string, userId: string, cid: string) => `${room}\u0000${userId}\u0000${cid}`;

/**
 * The broker's "was this cid committed before?" questions, asked of the store together:
 * the questions of one event-loop turn share a query, and those asked while it runs share
 * the next. One query per send was what capped the ingest benchmark on PostgreSQL (every
 * send queued a round trip on the pool in front of its own commit).
 */
export class CidLookups {
  private waiting: Question[] = [];
  private running = false;

  constructor(private readonly lookUp: (keys: readonly CidKey[]) => Promise<StoredMessage[]>) {}

  /** The committed message with this key, if there is one. */
  find(key: CidKey): Promise<StoredMessage | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        const found = await this.lookUp(batch.map((question) => question.key));
        const byKey = new Map(found.map((m) => [keyOf(m.room, m.user.id, m.cid), m]));
        for (const { key, resolve } of batch)
          resolve(byKey.get(keyOf(key.room, key.userId, key.cid)));
      } catch (error) {
        for (const question of batch) question.reject(error);
      }
    }
    this.running = false;
  }
}
