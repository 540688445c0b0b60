export { type BackoffOptions, backoffDelay, defaultBackoff } from './backoff.js';
export {
  type ClientEvents,
  type ClientState,
  HubbubClient,
  type HubbubClientOptions,
} from './client.js';
export { RoomCursor, type Verdict } from './cursor.js';
export { HubbubError, retryableCodes } from './errors.js';
export {
  fetchAnalytics,
  fetchEvent,
  fetchEvents,
  fetchHistory,
  guestToken,
  HubbubApi,
  login,
  refreshSession,
  registerAccount,
  sessionTokenProvider,
  tokenExpiry,
} from './rest.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export { describeTyping, TypingRoster } from './typing.js';
