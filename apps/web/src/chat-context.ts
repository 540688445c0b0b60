import type { ChannelListing, RoomId, UserRef } from '@hubbub/protocol';
import type { HubbubApi } from '@hubbub/sdk';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { ChatStore } from './chat-store.js';

/** What every part of the signed-in screen shares: the live store, the REST API, who we are. */
export interface ChatContext {
  store: ChatStore;
  api: HubbubApi;
  me: UserRef;
  /** A current access token, renewed as needed (for calls the API client does not make). */
  token: () => Promise<string>;
  /** Accounts have channels and DMs; guests keep to open rooms. */
  isAccount: boolean;
  /** Shows a room; with `at`, scrolled to that message (loading history back to it). */
  openRoom(room: RoomId, at?: number): void;
  /** Opens (creating on first use) the DM with a user, and shows it. */
  openDm(userId: string): Promise<void>;
}

export const ChatContext = createContext<ChatContext | undefined>(undefined);

export function useChat(): ChatContext {
  const chat = useContext(ChatContext);
  if (chat === undefined) throw new Error('useChat outside the chat screen');
  return chat;
}

/** The open room everyone may join, signed in or not. */
export const globalRoom: ChannelListing = {
  room: 'global',
  kind: 'channel',
  visibility: 'public',
  topic: 'Everyone on this Hubbub',
  slowModeSeconds: 0,
  createdAt: '',
  members: 0,
  role: null,
  peer: null,
};

/** Public channels and the caller's private channels and DMs (accounts only). */
export function useChannels(): ChannelListing[] {
  const { api, me, isAccount } = useChat();
  const query = useQuery({
    queryKey: ['channels', me.id],
    enabled: isAccount,
    queryFn: async () => (await api.channels()).channels,
  });
  return query.data ?? [];
}

/** How a room is named on screen: `#name` for channels, the other person for a DM. */
export function roomLabel(room: RoomId, listing: ChannelListing | undefined): string {
  if (listing?.kind === 'dm') return listing.peer?.name ?? 'Direct message';
  return `#${room}`;
}
