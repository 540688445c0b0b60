import type {
  AckFrame,
  Attachment,
  CheerEmoji,
  EditFrame,
  ErrorCode,
  HeldFrame,
  ModerationFrame,
  ReactFrame,
  ReceiptFrame,
  RoomId,
  RoomModes,
  SendFrame,
} from '@hubbub/protocol';
import type { Identity } from '../auth/authenticator.js';

/** What of a send the room's rules look at. */
export type SendContent = Pick<SendFrame, 'cid' | 'content' | 'attachments'>;

/** Why an action was refused, in the protocol's terms. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

/**
 * A send the guard let through, and the slow-mode wait (ms, 0 for none or exempt) that the
 * bus enforces across nodes, where this node's own clock cannot see sends made elsewhere.
 */
export interface Clearance {
  slowModeMs: number;
  /** The room's chat delay for this sender (ms, 0 for none or exempt): hold it that long. */
  delayMs: number;
  /** The send did not happen after all (the bus refused it): its slow-mode wait is undone. */
  undo?: () => void;
}

/**
 * Who may be in a room and send to it. The gateway asks; the feature that owns room rules
 * (channels, DMs, moderation) answers, so the gateway knows nothing of roles or bans.
 */
export interface RoomGuard {
  /** May `identity` join (or resume, or read the history of) `room`? May have side effects (joining a public channel makes you a member). */
  admit(identity: Identity, room: RoomId): Promise<Refusal | undefined>;
  /**
   * May `identity` send this to `room` now (mutes, bans, crowd modes)? Synchronous: it is
   * on the send path. A clearance counts the send (slow mode, unique chat) until undone.
   */
  checkSend(
    identity: Identity,
    room: RoomId,
    now: number,
    message: SendContent,
  ): Refusal | Clearance;
  /** The crowd modes of a room admitted to on this node, if any is on (for `joined`). */
  modesOf(room: RoomId): RoomModes | undefined;
  /** Whether `identity` moderates a room admitted to on this node (for `joined`). */
  moderates(identity: Identity, room: RoomId): boolean;
  /**
   * Could `identity` send to `room` at all now (member, not muted or banned), slow mode
   * aside? No side effects: it decides whether their typing is shown.
   */
  maySpeak(identity: Identity, room: RoomId, now: number): boolean;
  /**
   * May `identity` change a message of theirs in `room` to `content` now? What a send must
   * pass, bar the counting rules (slow mode, unique chat): an edit cannot sneak words into
   * an emote-only room, nor a muted person's message change.
   */
  checkEdit(identity: Identity, room: RoomId, now: number, content: string): Refusal | undefined;
}

/** Moderation frames, handled by the feature that owns room rules. Rejects with Refused. */
export interface ModerationHandler {
  apply(identity: Identity, frame: ModerationFrame): Promise<void>;
}

/**
 * Receipts from a member of the room, handled by the feature that keeps them. Resolves once
 * recorded (and announced, if they moved); rooms that keep no receipts ignore them.
 */
export interface ReceiptHandler {
  record(identity: Identity, frame: ReceiptFrame): Promise<void>;
}

/**
 * Changes to messages after they were sent, handled by the messages feature. Rejects with
 * Refused; on success the room has been told.
 */
export interface MessageHandler {
  edit(identity: Identity, frame: EditFrame): Promise<void>;
  react(identity: Identity, frame: ReactFrame): Promise<void>;
}

/** Taps of live reactions, counted by the feature that adds them up. Synchronous and cheap. */
export interface CheerHandler {
  tap(room: RoomId, emoji: CheerEmoji, count: number): void;
}

/**
 * Whether an attachment on a send is exactly what the sender uploaded. Synchronous: it is
 * on the send path, and a lookup there would let a later send overtake this one.
 */
export interface AttachmentCheck {
  owns(userId: string, attachment: Attachment): boolean;
}

/**
 * Where sends wait in rooms with a chat delay, handled by the feature that owns room rules.
 * Answers a send (or a resend of one) it holds, or held, or removed, with the frame to show
 * its author (when newly or still held) and the ack to come; undefined: publish it now.
 */
export interface HeldSends {
  hold(
    identity: Identity,
    frame: SendFrame,
    delayMs: number,
    slowModeMs: number,
  ): { frame?: HeldFrame; done: Promise<AckFrame> } | undefined;
}

/** A refusal of a room action, thrown by the rules feature and answered with its code. */
export class Refused extends Error {
  override name = 'Refused';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
