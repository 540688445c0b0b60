import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Attachment } from '@hubbub/protocol';

/**
 * Media ids that prove who uploaded what: `<random>.<mac>`, the MAC over the uploader and
 * every field of the attachment. A send is checked synchronously on the hot path (no
 * lookup, so a connection's messages keep their order), on any node that shares the key.
 */
export class AttachmentSigner {
  constructor(private readonly key: Buffer) {}

  /** A new id for `fields`, uploaded by `ownerId`. */
  sign(ownerId: string, fields: Omit<Attachment, 'id'>): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(ownerId, nonce, fields)}`;
  }

  /** Whether `attachment` is exactly what `ownerId` uploaded. */
  owns(ownerId: string, attachment: Attachment): boolean {
    const [nonce, mac, extra] = attachment.id.split('.');
    if (nonce === undefined || mac === undefined || extra !== undefined) return false;
    const { id: _id, ...fields } = attachment;
    const expected = Buffer.from(this.mac(ownerId, nonce, fields));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(ownerId: string, nonce: string, fields: Omit<Attachment, 'id'>): string {
    // A fixed field order, so the MAC does not depend on how the client ordered its JSON.
    const canonical = JSON.stringify([
      ownerId,
      nonce,
      fields.kind,
      fields.mime,
      fields.name,
      fields.size,
      fields.width ?? null,
      fields.height ?? null,
    ]);
    return createHmac('sha256', this.key).update(canonical).digest('base64url').slice(0, 32);
  }
}
