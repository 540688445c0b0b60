/** The tables of the media feature. */
export interface MediaTables {
  media: MediaTable;
}

/** One upload as served: its signed id, who uploaded it, and where its bytes are. */
export interface MediaTable {
  id: string;
  owner_id: string;
  kind: 'image' | 'file';
  mime: string;
  name: string;
  size: number;
  width: number | null;
  height: number | null;
  /** Storage key (sha256) of the bytes served. */
  blob: string;
  /** Storage key of the thumbnail (images). */
  thumb: string | null;
  created_at: number;
  /** Set when a message carrying it was deleted: it is no longer served. */
  revoked_at: number | null;
}
