import { describe, expect, test } from 'vitest';
import type { PresenceStore } from './port.js';

const alice = { id: 'a', name: 'Alice' };
const bob = { id: 'b', name: 'Bob' };

/**
 * The promises of the PresenceStore port (presence/port.ts), checked against every
 * implementation through the same suite.
 */
export function presenceContract(name: string, open: () => Promise<PresenceStore>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    test('a person is present once however many connections they have, until the last one goes', async () => {
      const presence = await open();
      expect(await presence.enter('r', alice, 'tab1')).toBe(true);
      expect(await presence.enter('r', alice, 'tab1')).toBe(false);
      expect(await presence.enter('r', alice, 'tab2')).toBe(false);
      expect(await presence.enter('r', alice, 'tab2')).toBe(false);
      expect(await presence.headcount('r', 10)).toEqual({ users: [alice], count: 1 });
      expect(await presence.exit('r', 'a', 'tab1')).toBe(false);
      expect(await presence.headcount('r', 10)).toEqual({ users: [alice], count: 1 });
      expect(await presence.exit('r', 'a', 'tab2')).toBe(true);
      expect(await presence.headcount('r', 10)).toEqual({ users: [], count: 0 });
    });

    test('rooms are separate, unknown exits change nothing, and the limit cuts the list, not the count', async () => {
      const presence = await open();
      await presence.enter('r', alice, 'c1');
      await presence.enter('r', bob, 'c2');
      await presence.enter('other', bob, 'c3');
      expect(await presence.exit('r', 'b', 'c3')).toBe(false);
      expect(await presence.exit('nowhere', 'a', 'c1')).toBe(false);
      expect(await presence.headcount('r', 10)).toEqual({ users: [alice, bob], count: 2 });
      expect(await presence.headcount('r', 1)).toEqual({ users: [alice], count: 2 });
      expect(await presence.headcount('r', 0)).toEqual({ users: [], count: 2 });
      expect(await presence.headcount('other', 10)).toEqual({ users: [bob], count: 1 });
    });
  });
}
