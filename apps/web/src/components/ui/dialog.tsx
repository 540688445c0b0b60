import { X } from 'lucide-react';
import { Dialog as Primitive } from 'radix-ui';
import type { ComponentProps, ReactNode } from 'react';
import { cn } from '../../lib/cn.js';

/**
 * Modal dialogs on Radix: focus is trapped and restored, Escape and the overlay close them,
 * and the title and description are announced. `side` turns one into a drawer (the room
 * list on a phone).
 */
export const Dialog = Primitive.Root;
export const DialogTrigger = Primitive.Trigger;
export const DialogClose = Primitive.Close;

export function DialogContent({
  className,
  children,
  title,
  description,
  side,
  ...props
}: ComponentProps<typeof Primitive.Content> & {
  title: ReactNode;
  description?: ReactNode;
  side?: 'left';
}) {
  return (
    <Primitive.Portal>
      <Primitive.Overlay className="fixed inset-0 z-40 bg-black/60 data-[state=open]:animate-[fade-in_150ms_ease-out]" />
      <Primitive.Content
        className={cn(
          'fixed z-50 flex flex-col gap-4 border border-slate-800 bg-slate-900 p-5 shadow-2xl focus:outline-none',
          side === 'left'
            ? 'inset-y-0 left-0 w-[85vw] max-w-xs data-[state=open]:animate-[slide-in-left_200ms_ease-out]'
            : 'top-1/2 left-1/2 max-h-[85vh] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-xl data-[state=open]:animate-[pop-in_150ms_ease-out]',
          className,
        )}
        {...(description === undefined ? { 'aria-describedby': undefined } : {})}
        {...props}
      >
        {/* The title first and the close button last: opening a dialog puts focus on its
            first field, as Radix focuses the first focusable element. */}
        <div className={cn('flex flex-col gap-1 pr-8', side === 'left' && 'absolute')}>
          {/* A drawer's content names itself; its title is for screen readers. */}
          <Primitive.Title className={cn('text-lg font-semibold', side === 'left' && 'sr-only')}>
            {title}
          </Primitive.Title>
          {description !== undefined && (
            <Primitive.Description className="text-sm text-slate-400">
              {description}
            </Primitive.Description>
          )}
        </div>
        {children}
        <Primitive.Close
          aria-label="Close"
          className="absolute top-4 right-4 rounded-md p-1 text-slate-400 hover:bg-slate-800 hover:text-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
        >
          <X className="size-4" />
        </Primitive.Close>
      </Primitive.Content>
    </Primitive.Portal>
  );
}
