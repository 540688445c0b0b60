import type { Attachment } from '@hubbub/protocol';
import { Download, FileText } from 'lucide-react';
import { useState } from 'react';
import { Dialog, DialogContent } from '../components/ui/dialog.js';

const THUMB_BOX = 320;
const bytes = new Intl.NumberFormat(undefined, {
  style: 'unit',
  unit: 'kilobyte',
  maximumFractionDigits: 0,
});

/** A message's files: images inline (thumbnails that open a lightbox), others as downloads. */
export function Attachments({
  attachments,
  tabIndex,
}: {
  attachments: readonly Attachment[];
  /** -1 outside the message the list's arrow keys are on. */
  tabIndex?: number | undefined;
}) {
  const [open, setOpen] = useState<Attachment>();
  return (
    <span className="mt-1 flex flex-wrap gap-2" data-testid="attachments">
      {attachments.map((attachment) =>
        attachment.kind === 'image' ? (
          <button
            key={attachment.id}
            type="button"
            tabIndex={tabIndex}
            aria-label={`Open image ${attachment.name}`}
            onClick={() => setOpen(attachment)}
            className="overflow-hidden rounded-md border border-slate-700 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          >
            <img
              src={`/api/media/${attachment.id}/thumb`}
              alt={attachment.name}
              loading="lazy"
              {...thumbSize(attachment)}
              className="block bg-slate-800 object-contain"
            />
          </button>
        ) : (
          <a
            key={attachment.id}
            href={`/api/media/${attachment.id}`}
            download={attachment.name}
            tabIndex={tabIndex}
            className="flex items-center gap-2 rounded-md border border-slate-700 bg-slate-900 px-3 py-2 text-sm hover:border-slate-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          >
            <FileText aria-hidden className="size-5 text-slate-300" />
            <span className="max-w-56 truncate">{attachment.name}</span>
            <span className="text-xs text-slate-400">{bytes.format(attachment.size / 1024)}</span>
          </a>
        ),
      )}
      <Dialog open={open !== undefined} onOpenChange={(next) => !next && setOpen(undefined)}>
        {open !== undefined && (
          <DialogContent title={open.name} className="max-w-[min(95vw,64rem)]">
            <img
              src={`/api/media/${open.id}`}
              alt={open.name}
              width={open.width}
              height={open.height}
              className="mx-auto h-auto max-h-[75vh] w-auto max-w-full object-contain"
            />
            <a
              href={`/api/media/${open.id}`}
              download={open.name}
              className="inline-flex items-center gap-1 self-start text-sm text-sky-300 hover:underline"
            >
              <Download aria-hidden className="size-4" /> Download
            </a>
          </DialogContent>
        )}
      </Dialog>
    </span>
  );
}

/** The thumbnail's box, known before it loads, so the timeline does not jump. */
function thumbSize({ width, height }: Attachment): { width?: number; height?: number } {
  if (width === undefined || height === undefined) return {};
  const scale = Math.min(1, THUMB_BOX / width, THUMB_BOX / height, 240 / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}
