import { useQuery } from '@tanstack/react-query';
import { useChat } from '../chat-context.js';

/**
 * Whether the signed-in person may open the analytics, as the server says (`GET /api/me`):
 * an admin, or anyone where they are public. False until it has said.
 */
export function useCanReadAnalytics(): boolean {
  const { api, me } = useChat();
  const query = useQuery({
    queryKey: ['me', me.id],
    queryFn: () => api.me(),
    // The server's list of admins changes with its configuration, not while one chats.
    staleTime: 10 * 60_000,
  });
  return query.data?.canReadAnalytics ?? false;
}
