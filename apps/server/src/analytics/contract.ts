import { describe, expect, test } from 'vitest';
import type { NodeFigures } from './figures.js';
import { type FiguresBoard, FRESH_MS } from './port.js';

/** A clock the suite moves by hand, shared by both views of the board. */
export interface Clock {
  now: number;
}

export function figures(node: string, at: number, connections: number): NodeFigures {
  return {
    node,
    at,
    startedAt: at - 1000,
    connections,
    peakConnections: connections,
    messages: 1,
    deliveries: 2,
    minutes: [],
    rooms: [],
  };
}

/**
 * The promises of the FiguresBoard port (analytics/port.ts), for every implementation.
 * `open` gives two nodes' views of one fresh board, both reading time from `clock`.
 */
export function figuresBoardContract(
  name: string,
  open: (clock: Clock) => Promise<[FiguresBoard, FiguresBoard]>,
): void {
  describe(`FiguresBoard contract: ${name}`, () => {
    test('every node reads every node; people on two nodes count once; the peak is of the sum', async () => {
      const clock = { now: 1_800_000_000_000 };
      const [a, b] = await open(clock);
      await a.post(figures('a', clock.now, 3), new Set(['ann', 'bob']));
      await b.post(figures('b', clock.now, 2), new Set(['bob', 'cat']));
      for (const board of [a, b]) {
        const read = await board.read();
        expect(read.nodes.map((f) => f.node).sort()).toEqual(['a', 'b']);
        expect(read.uniqueUsers).toBe(3);
        expect(read.peakConnections).toBe(5);
      }
    });

    test("a node's new post replaces its last; the peak stays when connections drop", async () => {
      const clock = { now: 1_800_000_000_000 };
      const [a, b] = await open(clock);
      await a.post(figures('a', clock.now, 4), new Set(['ann', 'bob', 'cat']));
      clock.now += 1000;
      await a.post(figures('a', clock.now, 1), new Set(['ann']));
      const read = await b.read();
      expect(read.nodes).toEqual([figures('a', clock.now, 1)]);
      expect(read.uniqueUsers).toBe(1);
      expect(read.peakConnections).toBe(4);
    });

    test('a node that withdraws leaves at once, its people with it; a fresh post brings it back', async () => {
      const clock = { now: 1_800_000_000_000 };
      const [a, b] = await open(clock);
      await a.post(figures('a', clock.now, 2), new Set(['ann']));
      await b.post(figures('b', clock.now, 1), new Set(['bob']));
      await a.withdraw('a');
      const read = await b.read();
      expect(read.nodes.map((f) => f.node)).toEqual(['b']);
      expect(read.uniqueUsers).toBe(1);
      await a.post(figures('a', clock.now, 2), new Set(['ann']));
      expect((await b.read()).uniqueUsers).toBe(2);
    });

    test('a node that stops posting drops out, and its people with it', async () => {
      const clock = { now: 1_800_000_000_000 };
      const [a, b] = await open(clock);
      await a.post(figures('a', clock.now, 1), new Set(['ann']));
      clock.now += FRESH_MS - 1000;
      await b.post(figures('b', clock.now, 1), new Set(['bob']));
      expect((await b.read()).uniqueUsers).toBe(2);
      clock.now += 2000;
      const read = await b.read();
      expect(read.nodes.map((f) => f.node)).toEqual(['b']);
      expect(read.uniqueUsers).toBe(1);
    });
  });
}
