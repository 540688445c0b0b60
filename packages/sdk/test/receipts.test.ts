import type { ReceiptFrame } from '@hubbub/protocol';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ReceiptReporter } from '../src/receipts.js';

describe('receipt reporting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('the first mark goes out at once; a burst after it is one frame with the furthest pointers', () => {
    const sent: ReceiptFrame[] = [];
    const reporter = new ReceiptReporter((frame) => sent.push(frame) > 0, 1000);
    reporter.mark('r', 1, false);
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([{ type: 'receipt', room: 'r', delivered: 1 }]);
    for (let seq = 2; seq <= 50; seq++) reporter.mark('r', seq, false);
    reporter.mark('r', 40, true);
    reporter.mark('r', 10, true);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual({ type: 'receipt', room: 'r', delivered: 50, read: 40 });
    // Nothing new: nothing sent.
    reporter.mark('r', 30, true);
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(2);
  });

  test('while disconnected the pointers wait, and flushAll sends them once connected', () => {
    let connected = false;
    const sent: ReceiptFrame[] = [];
    const reporter = new ReceiptReporter((frame) => connected && sent.push(frame) > 0, 1000);
    reporter.mark('a', 5, true);
    reporter.mark('b', 7, false);
    vi.advanceTimersByTime(2000);
    expect(sent).toEqual([]);
    connected = true;
    reporter.flushAll();
    expect(sent).toEqual([
      { type: 'receipt', room: 'a', delivered: 5, read: 5 },
      { type: 'receipt', room: 'b', delivered: 7 },
    ]);
    reporter.forget('a');
    reporter.stop();
  });
});
