import { ErrorCode } from '@hubbub/protocol';
import { BrokerError } from './local.js';

/**
 * The Redis broker's Lua scripts, with what their KEYS and ARGV are: each runs atomically
 * in Redis, which is what makes sequencing, logging and publishing one step.
 */

/**
 * Sequencing, logging and publishing in one step, atomically per room: the seq is taken,
 * the message appended to the room's capped log stream (id `seq-0`) and to the outbox the
 * persisters drain into the database, and only then published. Nothing is published that
 * is not in the log, and seqs are gapless whichever node publishes. A room without a seq in
 * Redis (new, or lost with Redis's data) is refused with nil: the node seeds it (HEAD) and
 * publishes again, so seqs never restart below what the database already holds.
 *
 * Before the seq, the admission every node shares, on Redis's clock: the room's slow-mode
 * wait for this sender (a key holding their last send's time, compared with the wait the
 * room has now) and the sender's rate (a token bucket). A refusal answers `!slow:<ms>` or `!rate:<ms>` (the wait) and changes
 * nothing.
 *
 * KEYS: 1 meta (hash epoch, seq), 2 log (stream), 3 this cid's key, 4 outbox (stream),
 * 5 the sender's slow-mode key in this room, 6 the sender's rate bucket (hash tokens, at).
 * ARGV: 1 slow-mode wait (ms, 0: none), 2 body with replyTo, 3 body without, 4 replyTo or 0,
 * 5 log length, 6 rate (sends/s, may be fractional; 0: unlimited), 7 channel,
 * 8 cid memory (s), 9 cid, 10 burst. The bodies are the message's JSON without its seq; the seq is
 * spliced in here, so the JSON is written once, by Node. The channel carries
 * `<epoch>\n<json>`, so a node sees when a room's epoch changed under it.
 */
export const PUBLISH = `
local known = redis.call('GET', KEYS[3])
if known then return known end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch or redis.call('HEXISTS', KEYS[1], 'seq') == 0 then return false end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local slow = tonumber(ARGV[1])
if slow > 0 then
  local last = tonumber(redis.call('GET', KEYS[5]))
  if last and now - last < slow then return '!slow:' .. (slow - (now - last)) end
end
local rate = tonumber(ARGV[6])
local burst = tonumber(ARGV[10])
if rate > 0 then
  local bucket = redis.call('HMGET', KEYS[6], 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or burst
  local at = tonumber(bucket[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
  if tokens < 1 then return '!rate:' .. math.ceil((1 - tokens) * 1000 / rate) end
  redis.call('HSET', KEYS[6], 'tokens', tostring(tokens - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[6], math.ceil(burst * 1000 / rate) + 1000)
end
if slow > 0 then redis.call('SET', KEYS[5], now, 'PX', slow) end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local replyTo = tonumber(ARGV[4])
local body = ARGV[3]
if replyTo > 0 and replyTo < seq then body = ARGV[2] end
local json = '{"seq":' .. seq .. ',' .. string.sub(body, 2)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], seq .. '-0', 'm', json)
redis.call('XADD', KEYS[4], '*', 'm', json, 'c', ARGV[9])
redis.call('SET', KEYS[3], json, 'EX', ARGV[8])
redis.call('PUBLISH', ARGV[7], epoch .. '\\n' .. json)
return json
`;

/**
 * The room's epoch, seq and base. A room with no seq in Redis is seeded, atomically (a
 * concurrent seed or publish wins), at the highest seq that exists anywhere: the database's
 * head (ARGV 1, read by the node; '' when it has not read it yet, which answers nil) or the
 * log's last entry, under the epoch already there or a new one (ARGV 2). After Redis lost
 * its data, the room goes on above everything the database holds, in a new epoch, after a
 * gap (ARGV 3) wider than what persisters can hold in flight.
 *
 * The seed is kept as the room's `base`: every seq above it and up to the room's seq was
 * taken by PUBLISH, so it exists (in the log and the outbox, and soon the database); at or
 * below it is only what the database holds. A room seeded by an older version has no base
 * (nil).
 * KEYS: 1 meta, 2 log.
 */
export const HEAD = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then
  if ARGV[1] == '' then return false end
  seq = tonumber(ARGV[1])
  local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
  if last then seq = math.max(seq, tonumber(string.match(last[1], '^(%d+)'))) end
  -- A room with history lost its state: persisters may still hold entries of the old
  -- epoch above the database's head, so the new epoch starts well clear of them.
  if seq > 0 then seq = seq + tonumber(ARGV[3]) end
  redis.call('HSETNX', KEYS[1], 'epoch', ARGV[2])
  redis.call('HSET', KEYS[1], 'seq', seq, 'base', seq)
end
return { redis.call('HGET', KEYS[1], 'epoch'), tostring(seq), redis.call('HGET', KEYS[1], 'base') }
`;

/**
 * Seqs skipped when a room with history is re-seeded after Redis lost it: more than the
 * outbox entries persisters can have read and not yet committed (batches of 500 per
 * node and partition), so none of them can take a seq of the new epoch.
 */
export const LOSS_GAP = 100_000;

/** The publish script's `!slow:<ms>` or `!rate:<ms>`, as the sender's error. */
export function refusal(answer: string): BrokerError {
  const [, kind, wait] = /^!(slow|rate):(\d+)$/.exec(answer) ?? [];
  const seconds = Math.max(1, Math.ceil(Number(wait ?? 1000) / 1000));
  return kind === 'slow'
    ? new BrokerError(ErrorCode.slowMode, `slow mode: wait ${seconds} s between messages`)
    : new BrokerError(ErrorCode.rateLimited, 'sending too fast; resend later with the same cid');
}
