import type { ChatMessage, RoomId } from '@hubbub/protocol';
import { type ClientState, HubbubClient, HubbubError } from '@hubbub/sdk';
import { toast } from 'sonner';
import {
  addPending,
  dropPending,
  emptyTimeline,
  failPending,
  mergeMessages,
  settlePending,
  type Timeline,
} from './timeline.js';

export interface Connection {
  state: ClientState;
  /** The server's id for the current session; a new one after every reconnect. */
  session: string | undefined;
  /** When reconnecting: the moment the next attempt starts. */
  retryAt: number | undefined;
}

const explain: Record<string, string> = {
  rate_limited: 'You are sending too fast. Your message will be retried.',
  muted: 'You are muted in this room.',
  banned: 'You are banned from this room.',
  slow_mode: 'Slow mode is on in this room.',
  forbidden: 'You are not allowed to do that here.',
  not_in_room: 'Join the room first.',
  invalid_frame: 'The server refused that message.',
};

/**
 * The page's view of the chat: one client, a timeline per room, the connection state.
 * React reads it through useSyncExternalStore; every change makes new objects.
 */
export class ChatStore {
  readonly client: HubbubClient;
  private timelines = new Map<RoomId, Timeline>();
  private connection: Connection = { state: 'connecting', session: undefined, retryAt: undefined };
  private readonly listeners = new Set<() => void>();

  constructor(
    url: string,
    token: () => Promise<string>,
    readonly me: { id: string; name: string },
  ) {
    this.client = new HubbubClient({ url, token });
    this.client.on('message', (message) => this.merge(message.room, [message]));
    this.client.on('state', (state) => {
      this.connection = {
        ...this.connection,
        state,
        retryAt: state === 'reconnecting' ? this.connection.retryAt : undefined,
      };
      this.changed();
    });
    this.client.on('reconnecting', ({ delayMs }) => {
      this.connection = {
        ...this.connection,
        state: 'reconnecting',
        retryAt: Date.now() + delayMs,
      };
      this.changed();
    });
    this.client.on('ready', (frame) => {
      this.connection = { ...this.connection, session: frame.session };
      this.changed();
    });
    this.client.on('error', (error) => toast.error(explain[error.code] ?? error.message));
    this.client.on('throttled', (error) => toast.warning(explain[error.code] ?? error.message));
    this.client.on('removed', (frame) =>
      toast.warning(`You were ${frame.reason} from ${frame.room}.`),
    );
    this.client.on('moderated', (frame) => {
      if (frame.action === 'delete' && frame.seq !== undefined) {
        const timeline = this.timeline(frame.room);
        const target = timeline.messages.find((m) => m.seq === frame.seq);
        if (target !== undefined)
          this.merge(frame.room, [{ ...target, content: '', deleted: true }]);
      } else if (frame.target === this.me.id) {
        toast.info(
          `A moderator ${frame.action === 'slow_mode' ? 'changed slow mode' : `applied ${frame.action}`} to you in ${frame.room}.`,
        );
      }
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  timeline(room: RoomId): Timeline {
    return this.timelines.get(room) ?? emptyTimeline;
  }

  get status(): Connection {
    return this.connection;
  }

  merge(room: RoomId, messages: readonly ChatMessage[]): void {
    this.timelines.set(room, mergeMessages(this.timeline(room), messages));
    this.changed();
  }

  async join(room: RoomId): Promise<void> {
    try {
      await this.client.join(room);
    } catch (error) {
      toast.error(
        error instanceof HubbubError ? (explain[error.code] ?? error.message) : 'Could not join.',
      );
    }
  }

  /** Shows the message at once, sends it, and settles or marks it failed. */
  async send(room: RoomId, content: string, cid: string = crypto.randomUUID()): Promise<void> {
    this.update(room, (t) => addPending(dropPending(t, cid), { cid, content, user: this.me }));
    try {
      const ack = await this.client.send(room, content);
      this.update(room, (t) => settlePending(t, cid, ack.id));
    } catch (error) {
      const code = error instanceof HubbubError ? error.code : 'internal';
      this.update(room, (t) => failPending(t, cid, explain[code] ?? 'Not sent.'));
      toast.error(explain[code] ?? (error instanceof Error ? error.message : 'Not sent.'));
    }
  }

  retry(room: RoomId, cid: string, content: string): void {
    void this.send(room, content, cid);
  }

  discard(room: RoomId, cid: string): void {
    this.update(room, (t) => dropPending(t, cid));
  }

  close(): void {
    this.client.close();
  }

  private update(room: RoomId, change: (timeline: Timeline) => Timeline): void {
    this.timelines.set(room, change(this.timeline(room)));
    this.changed();
  }

  private changed(): void {
    this.timelines = new Map(this.timelines);
    for (const listener of this.listeners) listener();
  }
}
