/** The tables of the mentions feature. */
export interface MentionTables {
  message_mentions: MessageMentionsTable;
}

/** One member `@mentioned` by one message of a channel or DM. */
export interface MessageMentionsTable {
  user_id: string;
  room_id: string;
  seq: number;
}
