import { ChannelName, limits } from '@hubbub/protocol';
import { HubbubError } from '@hubbub/sdk';
import { useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useChat } from '../chat-context.js';
import { Button } from '../components/ui/button.js';
import { CheckboxField } from '../components/ui/checkbox.js';
import { Input } from '../components/ui/input.js';
import { SidebarDialog } from './SidebarDialog.js';

/** A new channel, public or private, owned by its creator; it opens once made. */
export function CreateChannel() {
  const { api, openRoom } = useChat();
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    const parsed = ChannelName.safeParse(name.trim().toLowerCase());
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message ?? 'That name will not do.');
      return;
    }
    setBusy(true);
    try {
      await api.createChannel({
        name: parsed.data,
        topic: topic.trim(),
        visibility: isPrivate ? 'private' : 'public',
      });
      await queries.invalidateQueries({ queryKey: ['channels'] });
      setOpen(false);
      setName('');
      setTopic('');
      setProblem(undefined);
      openRoom(parsed.data);
    } catch (error) {
      setProblem(error instanceof HubbubError ? error.message : 'Could not reach the server.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <SidebarDialog
      label="Create a channel"
      icon={<Plus />}
      description="Lowercase letters, digits, and - _ . in the name."
      open={open}
      onOpenChange={setOpen}
    >
      <form onSubmit={create} className="flex flex-col gap-3">
        <label className="flex flex-col gap-1 text-sm">
          Name
          <Input
            name="name"
            required
            maxLength={limits.roomNameMaxChars}
            placeholder="e.g. match-day"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setProblem(undefined);
            }}
            aria-invalid={problem !== undefined}
            aria-describedby={problem === undefined ? undefined : 'create-channel-problem'}
          />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Topic <span className="text-xs text-slate-400">(optional)</span>
          <Input
            name="topic"
            maxLength={limits.topicMaxChars}
            value={topic}
            onChange={(e) => setTopic(e.target.value)}
          />
        </label>
        <CheckboxField checked={isPrivate} onChange={setPrivate}>
          Private: only people you add can see it
        </CheckboxField>
        {problem !== undefined && (
          <p id="create-channel-problem" role="alert" className="text-sm text-rose-300">
            {problem}
          </p>
        )}
        <Button type="submit" disabled={busy}>
          Create channel
        </Button>
      </form>
    </SidebarDialog>
  );
}
