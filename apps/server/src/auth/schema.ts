/** The tables the auth feature owns (see auth/migrations.ts). Times are ms since the epoch. */
export interface AuthTables {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  external_identities: ExternalIdentitiesTable;
  name_skeletons: NameSkeletonsTable;
}

export interface UsersTable {
  id: string;
  /** Login name, lowercase; null for users who only sign in through an identity provider. */
  username: string | null;
  display_name: string;
  /** argon2id PHC string; null for users without a password. */
  password_hash: string | null;
  created_at: number;
  /** Bumped on password change: every session issued before it is void. */
  credentials_changed_at: number;
}

/**
 * Opaque refresh tokens, stored only as SHA-256 hashes. A family is one login: each refresh
 * replaces its token with a new one in the same family; presenting a replaced token again
 * means it was stolen, and the whole family is revoked.
 */
export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  user_id: string;
  expires_at: number;
  /** Set when this token was exchanged for the next one. */
  used_at: number | null;
  /** Set on the whole family at logout, password change or detected reuse. */
  revoked_at: number | null;
  created_at: number;
}

/** A user from an external identity provider, keyed by the provider's issuer and subject. */
export interface ExternalIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: number;
}

/**
 * The names accounts hold, by their look-alike keys (`nameKeys` of @hubbub/protocol: UTS #39
 * skeletons): one row per key of an account's login and display name. The key is the
 * primary key, so two accounts never hold names that look alike, and a guest's name is
 * checked against it.
 */
export interface NameSkeletonsTable {
  skeleton: string;
  user_id: string;
}
