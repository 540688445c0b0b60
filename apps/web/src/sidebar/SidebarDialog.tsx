import type { ReactNode } from 'react';
import { Button } from '../components/ui/button.js';
import { Dialog, DialogContent, DialogTrigger } from '../components/ui/dialog.js';

/** A sidebar action: an icon button that opens a dialog of the same name. */
export function SidebarDialog({
  label,
  icon,
  description,
  open,
  onOpenChange,
  children,
}: {
  label: string;
  icon: ReactNode;
  description: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={label} title={label}>
          {icon}
        </Button>
      </DialogTrigger>
      <DialogContent title={label} description={description}>
        {children}
      </DialogContent>
    </Dialog>
  );
}
