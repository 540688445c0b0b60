import { type Attachment, limits, MediaUploadResponse } from '@hubbub/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';

/** A file on its way to the server, or there, waiting to be sent with the message. */
export interface Upload {
  key: string;
  name: string;
  /** The local file: an image is previewed from it before the server has it. */
  file: File;
  /** 0..1 of the bytes sent. */
  progress: number;
  /** Set once the server took it: what the message will carry. */
  attachment: Attachment | undefined;
  error: string | undefined;
}

/** What a guest is told who drops or pastes a file: uploads are for accounts. */
export const guestsCannotAttach = 'Sign in to attach files: guests cannot upload.';

/**
 * Uploads for the composer: each file goes up at once (XMLHttpRequest, for its progress
 * events, which fetch does not give for uploads), at most `limits.attachmentsPerMessage`
 * per message. Removing one aborts it; `clear` after sending.
 */
export function useUploads(token: () => Promise<string>) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const patch = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      const room = limits.attachmentsPerMessage - requests.current.size;
      if (files.length > room)
        toast.warning(`A message can carry ${limits.attachmentsPerMessage} files at most.`);
      for (const file of files.slice(0, Math.max(0, room))) {
        const key = crypto.randomUUID();
        const xhr = new XMLHttpRequest();
        requests.current.set(key, xhr);
        setUploads((all) => [
          ...all,
          { key, name: file.name, file, progress: 0, attachment: undefined, error: undefined },
        ]);
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable) patch(key, { progress: event.loaded / event.total });
        };
        xhr.onload = () => {
          const parsed = MediaUploadResponse.safeParse(safeJson(xhr.responseText));
          if (xhr.status === 201 && parsed.success)
            patch(key, { progress: 1, attachment: parsed.data.attachment });
          else patch(key, { error: errorMessage(xhr.responseText) });
        };
        xhr.onerror = () => patch(key, { error: 'Upload failed: the server is out of reach.' });
        void token().then(
          (bearer) => {
            if (!requests.current.has(key)) return;
            const form = new FormData();
            form.set('file', file, file.name);
            xhr.open('POST', '/api/media');
            xhr.setRequestHeader('authorization', `Bearer ${bearer}`);
            xhr.send(form);
          },
          () => patch(key, { error: 'Upload failed: signed out.' }),
        );
      }
    },
    [token, patch],
  );

  const remove = useCallback((key: string) => {
    requests.current.get(key)?.abort();
    requests.current.delete(key);
    setUploads((all) => all.filter((u) => u.key !== key));
  }, []);

  const clear = useCallback(() => {
    requests.current.clear();
    setUploads([]);
  }, []);

  useEffect(() => {
    const pending = requests.current;
    return () => {
      for (const xhr of pending.values()) xhr.abort();
    };
  }, []);

  const done = uploads.flatMap((u) => (u.attachment === undefined ? [] : [u.attachment]));
  const busy = uploads.some((u) => u.attachment === undefined && u.error === undefined);
  return { uploads, add, remove, clear, attachments: done, busy };
}

export type Uploads = ReturnType<typeof useUploads>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessage(text: string): string {
  const body = safeJson(text) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? 'Upload failed.';
}
