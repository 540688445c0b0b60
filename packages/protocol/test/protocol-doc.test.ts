import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { protocolExamples, renderProtocolDoc } from '../scripts/protocol-doc.js';
import { clientFrameTypes, ServerFrame } from '../src/frames.js';

describe('docs/protocol.md', () => {
  test('is what the protocol package renders (run `npm run docs:protocol` after a change)', () => {
    const onDisk = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderProtocolDoc());
  });

  test('every example in it is a valid frame of its type', () => {
    for (const { name, schema, example } of protocolExamples()) {
      const parsed = schema.safeParse(example);
      expect(parsed.success, `example for ${name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  test('documents every client and server frame type', () => {
    const documented = new Set(protocolExamples().map((e) => e.name));
    for (const type of clientFrameTypes) expect(documented.has(type)).toBe(true);
    for (const option of ServerFrame.options)
      expect(documented.has(option.shape.type.value)).toBe(true);
  });
});
