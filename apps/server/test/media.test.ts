import { crc32 } from 'node:zlib';
import type { ChatMessage, MediaUploadResponse, RestError } from '@hubbub/protocol';
import {
  engines,
  get,
  guestIn,
  RawClient,
  register,
  startServer,
  type TestServer,
  usePostgres,
} from '@hubbub/testing';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';

/** Uploads over real HTTP: what is taken, what is refused, and what is served. */
const postgres = usePostgres();

async function upload(
  server: TestServer,
  token: string,
  bytes: Uint8Array,
  name: string,
  type = 'application/octet-stream',
) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${server.httpUrl}/api/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return {
    status: response.status,
    body: (await response.json()) as MediaUploadResponse & RestError,
  };
}

async function download(server: TestServer, path: string) {
  const response = await fetch(`${server.httpUrl}${path}`);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

const photo = (format: 'jpeg' | 'png' = 'jpeg') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#c03' } })
    [format]()
    .withExif({
      IFD0: { Make: 'SpyCam', Copyright: 'secret-owner' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2637/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3966/100',
      },
    })
    .toBuffer();

/** A real PNG whose header claims `width` × `height` pixels: a decompression bomb's shape. */
async function bomb(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  // IHDR data starts after the 8-byte signature and the chunk's length and type (8 bytes).
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('media', () => {
  test('an image with GPS EXIF is re-encoded: no metadata, never the original bytes, a thumbnail', async () => {
    await using server = await startServer();
    const alice = await register(server, 'alice');
    const original = await photo();
    expect((await sharp(original).metadata()).exif).toBeDefined();

    const { status, body } = await upload(
      server,
      alice.token,
      original,
      'holiday.JPG',
      'image/jpeg',
    );
    expect(status).toBe(201);
    expect(body.attachment).toMatchObject({
      kind: 'image',
      mime: 'image/jpeg',
      name: 'holiday.jpg',
      width: 64,
      height: 48,
    });
    const served = await download(server, `/api/media/${body.attachment.id}`);
    expect(served.response.status).toBe(200);
    expect(served.response.headers.get('content-type')).toBe('image/jpeg');
    expect(served.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(served.response.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.compare(served.bytes, original)).not.toBe(0);
    const metadata = await sharp(served.bytes).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    for (const secret of ['SpyCam', 'secret-owner', 'GPS']) {
      expect(served.bytes.includes(secret)).toBe(false);
    }
    const thumb = await download(server, `/api/media/${body.attachment.id}/thumb`);
    expect(thumb.response.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(thumb.bytes).metadata()).format).toBe('webp');
    expect((await download(server, '/api/media/nope.nope')).response.status).toBe(404);
  });

  test('the bytes decide the type: wrong extensions, polyglots, non-images and PDFs', async () => {
    await using server = await startServer();
    const alice = await register(server, 'alice');
    // A PNG called a PDF is a PNG, and is named so.
    const png = await photo('png');
    const renamed = await upload(server, alice.token, png, 'report.pdf', 'application/pdf');
    expect(renamed.body.attachment).toMatchObject({ mime: 'image/png', name: 'report.png' });

    // A PNG with a script appended: taken as the image, served without the script.
    const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]);
    const cleaned = await upload(server, alice.token, polyglot, 'x.png');
    expect(cleaned.status).toBe(201);
    const served = await download(server, `/api/media/${cleaned.body.attachment.id}`);
    expect(served.bytes.includes('<script')).toBe(false);

    // GIF magic in front of HTML: not an image anyone can decode, so refused.
    const gifar = Buffer.from('GIF89a<html><script>alert(1)</script></html>');
    const refusedGif = await upload(server, alice.token, gifar, 'cat.gif', 'image/gif');
    expect(refusedGif.status).toBe(415);
    expect(refusedGif.body.error.code).toBe('unsupported_media');

    for (const [bytes, name] of [
      [Buffer.from('just some text'), 'photo.jpg'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'), 'a.svg'],
      [Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), 'setup.png'],
    ] as const) {
      const refused = await upload(server, alice.token, bytes, name, 'image/jpeg');
      expect(refused.status, name).toBe(415);
      expect(refused.body.error.code).toBe('unsupported_media');
    }

    // A PDF is kept, and only ever served as a download.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const document = await upload(server, alice.token, pdf, '../../etc/minutes.PDF');
    expect(document.body.attachment).toMatchObject({ kind: 'file', mime: 'application/pdf' });
    expect(document.body.attachment.name).toBe('minutes.pdf');
    const file = await download(server, `/api/media/${document.body.attachment.id}`);
    expect(file.response.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(file.response.headers.get('content-security-policy')).toContain('sandbox');
    expect(file.bytes.equals(pdf)).toBe(true);
  });

  test('size limits: an oversized file and a decompression bomb are refused with codes', async () => {
    await using server = await startServer({ env: { MEDIA_MAX_BYTES: '100000' } });
    const alice = await register(server, 'alice');
    const oversized = await upload(server, alice.token, Buffer.alloc(100_001, 1), 'big.png');
    expect(oversized.status).toBe(413);
    expect(oversized.body.error.code).toBe('too_large');

    const tiny = await bomb(100_000, 100_000);
    expect(tiny.length).toBeLessThan(200);
    const exploded = await upload(server, alice.token, tiny, 'bomb.png');
    expect(exploded.status).toBe(413);
    expect(exploded.body.error.code).toBe('too_large');

    // Guests and strangers may not upload; the node keeps serving after all of it.
    const guest = await server.guest('Gus');
    expect((await upload(server, guest.token, await photo(), 'a.jpg')).status).toBe(403);
    expect((await upload(server, 'not-a-token', await photo(), 'a.jpg')).status).toBe(401);
    expect((await upload(server, alice.token, await photo(), 'a.jpg')).status).toBe(201);
  });
});

describe.each(engines(postgres))('media in messages on $engine', ({ env }) => {
  test('a message carries only its sender’s own uploads, unchanged, and keeps them in history', async () => {
    await using server = await startServer({ env: await env() });
    const [alice, bob] = await Promise.all([register(server, 'alice'), register(server, 'bob')]);
    const { attachment } = (await upload(server, alice.token, await photo(), 'p.jpg')).body;
    expect((await download(server, `/api/media/${attachment.id}`)).response.status).toBe(200);
    await using aliceSocket = await RawClient.ready(server.wsUrl, alice.token);
    await using bobSocket = await RawClient.ready(server.wsUrl, bob.token);
    for (const socket of [aliceSocket, bobSocket]) {
      socket.send({ type: 'join', room: 'general' });
      await socket.next((f) => f.type === 'joined');
    }
    bobSocket.send({
      type: 'send',
      room: 'general',
      cid: 'steal',
      content: '',
      attachments: [attachment],
    });
    expect(await bobSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'steal',
    });
    const renamed = { ...attachment, name: 'other.jpg' };
    aliceSocket.send({
      type: 'send',
      room: 'general',
      cid: 'forged',
      content: 'x',
      attachments: [renamed],
    });
    expect(await aliceSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'forbidden',
      ref: 'forged',
    });
    aliceSocket.send({ type: 'send', room: 'general', cid: 'empty', content: ' ' });
    expect(await aliceSocket.next((f) => f.type === 'error')).toMatchObject({
      code: 'invalid_frame',
    });

    // An image with no text is a message.
    aliceSocket.send({
      type: 'send',
      room: 'general',
      cid: 'pic',
      content: '',
      attachments: [attachment],
    });
    await aliceSocket.next((f) => f.type === 'ack' && f.cid === 'pic');
    expect(await bobSocket.next((f) => f.type === 'message')).toMatchObject({
      seq: 1,
      content: '',
      attachments: [attachment],
    });
    const history = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/general/messages',
      bob.token,
    );
    expect(history.body.messages[0]?.attachments).toEqual([attachment]);
    // Deleting the message takes its attachments with it.
    aliceSocket.send({ type: 'delete', room: 'general', id: history.body.messages[0]?.id ?? '' });
    await aliceSocket.next((f) => f.type === 'moderated');
    const after = await get<{ messages: ChatMessage[] }>(
      server,
      '/api/rooms/general/messages',
      bob.token,
    );
    expect(after.body.messages[0]).toMatchObject({ deleted: true });
    expect(after.body.messages[0]?.attachments).toBeUndefined();
    // The file goes with it: nobody holding the link can load it any more.
    expect((await download(server, `/api/media/${attachment.id}`)).response.status).toBe(404);
    expect((await download(server, `/api/media/${attachment.id}/thumb`)).response.status).toBe(404);
    // Guests in open rooms cannot forge an attachment either.
    await using gus = await guestIn(server, 'Gus', 'global');
    gus.send({ type: 'send', room: 'global', cid: 'g', content: 'hi', attachments: [attachment] });
    expect(await gus.next((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
  });
});
