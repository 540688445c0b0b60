/** The tables of the receipts feature. Times are ms since the epoch. */
export interface ReceiptTables {
  room_receipts: RoomReceiptsTable;
}

/** One member's furthest delivered and read seq in one channel or DM; both only grow. */
export interface RoomReceiptsTable {
  room_id: string;
  user_id: string;
  delivered_seq: number;
  read_seq: number;
  updated_at: number;
}
