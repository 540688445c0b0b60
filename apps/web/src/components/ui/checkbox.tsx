import type { ReactNode } from 'react';
import { cn } from '../../lib/cn.js';

/** A native checkbox with its label: the whole line toggles it, and it speaks for itself. */
export function CheckboxField({
  checked,
  onChange,
  className,
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={cn('flex items-center gap-2 text-sm', className)}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="size-4 accent-sky-500"
      />
      {children}
    </label>
  );
}
