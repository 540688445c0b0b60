import { FileText, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '../components/ui/button.js';
import type { Upload, Uploads } from './uploads.js';

/**
 * The files attached to the message being written: a thumbnail of each image (from the
 * local file, before the server has it), its progress, whether the server took it or why
 * not, and a button to remove it. Removing one hands the focus back (`onRemoved`).
 */
export function AttachmentChips({
  uploads,
  onRemoved,
}: {
  uploads: Uploads;
  onRemoved: () => void;
}) {
  if (uploads.uploads.length === 0) return null;
  return (
    <ul aria-label="Attachments" className="flex flex-wrap gap-2 px-3 pt-2">
      {uploads.uploads.map((upload) => (
        <li
          key={upload.key}
          className="flex items-center gap-2 rounded-md border border-slate-700 bg-slate-900 p-1 pr-1 pl-1.5 text-xs"
        >
          <Thumbnail upload={upload} />
          <span className="flex min-w-0 flex-col gap-0.5">
            <span className="max-w-40 truncate">{upload.name}</span>
            {upload.error !== undefined ? (
              <span role="alert" className="max-w-56 text-rose-300">
                {upload.error}
              </span>
            ) : upload.attachment === undefined ? (
              <progress
                aria-label={`Uploading ${upload.name}`}
                max={1}
                value={upload.progress}
                className="h-1.5 w-20 accent-sky-500"
              />
            ) : (
              <span className="text-emerald-300">ready</span>
            )}
          </span>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Remove ${upload.name}`}
            onClick={() => {
              uploads.remove(upload.key);
              onRemoved();
            }}
          >
            <X />
          </Button>
        </li>
      ))}
    </ul>
  );
}

/** An image's preview from an object URL of the local file, let go when the chip goes. */
function Thumbnail({ upload }: { upload: Upload }) {
  const image = upload.file.type.startsWith('image/');
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!image) return;
    const made = URL.createObjectURL(upload.file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [image, upload.file]);
  if (!image) return <FileText aria-hidden className="size-5 shrink-0 text-slate-300" />;
  return (
    <span className="size-12 shrink-0 overflow-hidden rounded bg-slate-800">
      {url !== undefined && (
        <img
          src={url}
          alt={`Preview of ${upload.name}`}
          className="size-full object-cover"
          draggable={false}
        />
      )}
    </span>
  );
}
