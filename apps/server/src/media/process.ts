import { basename } from 'node:path';
import { type Attachment, ErrorCode } from '@hubbub/protocol';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { Refused } from '../gateway/guard.js';

export interface MediaLimits {
  maxPixels: number;
  maxDimension: number;
}

/** What an upload becomes: the bytes to serve (never an image's original), and a thumbnail. */
export interface Processed {
  fields: Omit<Attachment, 'id'>;
  bytes: Buffer;
  thumbnail?: Buffer;
}

const THUMBNAIL = 320;
const imageTypes = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/**
 * Decides what an upload is from its bytes (file-type: magic numbers; the name and the
 * declared type count for nothing), refuses what is not on the allowlist, and re-encodes
 * images with sharp: every metadata block (EXIF with its GPS position, XMP, ICC, comments)
 * is dropped, orientation applied, size bounded, and anything appended to or hidden in the
 * file (a polyglot's second life) is gone, because only decoded pixels are written out.
 * PDFs cannot be cleaned that way: they are kept as sent and only ever served as downloads.
 */
export async function processUpload(
  bytes: Buffer,
  filename: string,
  limits: MediaLimits,
): Promise<Processed> {
  const type = await fileTypeFromBuffer(bytes);
  const name = cleanName(filename, type?.ext);
  if (type?.mime === 'application/pdf')
    return { fields: { kind: 'file', mime: type.mime, name, size: bytes.length }, bytes };
  if (type === undefined || !imageTypes.has(type.mime))
    throw new Refused(
      ErrorCode.unsupportedMedia,
      'only JPEG, PNG, WebP, GIF and PDF files can be uploaded',
    );
  const animated = type.mime === 'image/gif' || type.mime === 'image/webp';
  const open = () =>
    sharp(bytes, { animated, limitInputPixels: limits.maxPixels, failOn: 'error' });
  let header: Metadata;
  try {
    // Only the header is read here, so no pixel bound is needed yet; it is checked next.
    header = await sharp(bytes, { animated, limitInputPixels: false }).metadata();
  } catch {
    throw new Refused(ErrorCode.unsupportedMedia, 'the file could not be read as an image');
  }
  // The header says how big the picture is before a single pixel is decoded: a small file
  // that unpacks into gigabytes (a decompression bomb) stops here.
  const frameHeight = header.pageHeight ?? header.height;
  const pixels = header.width * frameHeight * (header.pages ?? 1);
  if (pixels > limits.maxPixels)
    throw new Refused(
      ErrorCode.tooLarge,
      `images may have at most ${limits.maxPixels.toLocaleString('en')} pixels`,
    );
  try {
    const pipeline = open().rotate().resize({
      width: limits.maxDimension,
      height: limits.maxDimension,
      fit: 'inside',
      withoutEnlargement: true,
    });
    const encoded =
      type.mime === 'image/jpeg'
        ? pipeline.jpeg({ quality: 85, mozjpeg: true })
        : type.mime === 'image/png'
          ? pipeline.png()
          : type.mime === 'image/webp'
            ? pipeline.webp({ quality: 85 })
            : pipeline.gif();
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data)
      .resize({ width: THUMBNAIL, height: THUMBNAIL, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return {
      fields: {
        kind: 'image',
        mime: type.mime,
        name,
        size: data.length,
        width: info.width,
        height: info.pageHeight ?? info.height,
      },
      bytes: data,
      thumbnail,
    };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message))
      throw new Refused(ErrorCode.tooLarge, 'the image has too many pixels');
    throw new Refused(ErrorCode.unsupportedMedia, 'the file could not be read as an image');
  }
}

/**
 * A file name safe to show and to put in a header: the last path segment, no control or
 * quote characters, bounded, with the extension of what the bytes really are.
 */
function cleanName(filename: string, ext: string | undefined): string {
  const base = basename(filename.replaceAll('\\', '/'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim();
  const stem = base.replace(/\.[^.]*$/, '').slice(0, 150) || 'file';
  return ext === undefined ? stem : `${stem}.${ext === 'jpg' ? 'jpg' : ext}`;
}
