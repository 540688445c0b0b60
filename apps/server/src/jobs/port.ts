/**
 * Who runs each occurrence of a scheduled job. Every node schedules every job; when an
 * occurrence comes, each node asks to claim it, and exactly one is told yes: the in-process
 * claims serve one process, the Redis claims a cluster.
 */
export interface JobClaims {
  /**
   * Resolves true for exactly one caller per (job, occurrence) while the claim is held
   * (`holdMs`, at least until any other node could ask), false for every other. Rejects if
   * the claim cannot be decided (Redis unreachable): nobody runs that occurrence.
   */
  claim(job: string, occurrence: string, holdMs: number): Promise<boolean>;
}
