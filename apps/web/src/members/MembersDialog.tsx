import type { ChannelListing, ChannelMember, ChannelRole, RoomId } from '@hubbub/protocol';
import { HubbubError } from '@hubbub/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { LogOut, UserPlus, UserX } from 'lucide-react';
import { useId, useRef, useState, useSyncExternalStore } from 'react';
import { toast } from 'sonner';
import { useChat } from '../chat-context.js';
import { Avatar } from '../components/Avatar.js';
import { Button } from '../components/ui/button.js';
import { Dialog, DialogContent } from '../components/ui/dialog.js';
import { fieldClass, Input } from '../components/ui/input.js';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '../components/ui/tabs.js';
import { cn } from '../lib/cn.js';
import { useDebounced } from '../lib/debounce.js';
import { describeAudit } from './audit-text.js';

const rank: Record<ChannelRole, number> = { member: 1, moderator: 2, owner: 3 };
const roleLabel: Record<ChannelRole, string> = {
  owner: 'Owner',
  moderator: 'Moderator',
  member: 'Member',
};
const addFieldId = 'add-people';
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A refusal in a sentence: the server's words, capitalised. */
function problemOf(error: unknown): string {
  if (!(error instanceof HubbubError)) return 'Could not reach the server.';
  return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
}

/**
 * A channel's people: who is in it and with what role, adding people by name (moderators),
 * changing roles (owners), removing someone below you, leaving, and, for moderators, the
 * room's audit log. Every change is checked again by the server; a refusal shows here.
 */
export function MembersDialog({
  room,
  listing,
  open,
  onOpenChange,
}: {
  room: RoomId;
  listing: ChannelListing;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { api, me, store, openRoom } = useChat();
  const queries = useQueryClient();
  const members = useQuery({
    queryKey: ['members', room],
    enabled: open,
    queryFn: () => api.members(room),
  });
  const mine = members.data?.find((m) => m.userId === me.id)?.role ?? listing.role ?? 'member';
  const moderator = rank[mine] >= rank.moderator;
  const [problem, setProblem] = useState<string>();
  // Said to screen readers after each change (the list itself changes silently).
  const [said, setSaid] = useState('');
  const presence = useSyncExternalStore(store.subscribe, () => store.presence(room));
  const online = new Set(presence?.users?.map((u) => u.id));

  async function change(work: () => Promise<void>, done: string): Promise<boolean> {
    setProblem(undefined);
    try {
      await work();
      setSaid(done);
      await Promise.all(
        [['members', room], ['audit', room], ['channels']].map((queryKey) =>
          queries.invalidateQueries({ queryKey }),
        ),
      );
      return true;
    } catch (error) {
      setProblem(problemOf(error));
      return false;
    }
  }

  async function leave() {
    const left = await change(
      () => store.leaveChannel(room, () => api.removeMember(room, me.id)),
      `You left #${room}.`,
    );
    if (!left) return;
    onOpenChange(false);
    openRoom('global');
  }

  const count = members.data?.length ?? listing.members;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title={`#${room}`}
        description={
          listing.visibility === 'private'
            ? 'Private channel: only its members can see it.'
            : 'Public channel: anyone can find and join it.'
        }
        className="max-w-lg"
        // Adding someone is what the panel is most often opened for: focus starts there.
        onOpenAutoFocus={(event) => {
          const field = document.getElementById(addFieldId);
          if (field === null) return;
          event.preventDefault();
          field.focus();
        }}
      >
        <Tabs defaultValue="members" className="flex min-h-0 flex-col gap-3">
          <TabsList
            aria-label="Channel details"
            className={moderator ? 'grid-cols-2' : 'grid-cols-1'}
          >
            <TabsTrigger value="members">Members ({count})</TabsTrigger>
            {moderator && <TabsTrigger value="activity">Activity log</TabsTrigger>}
          </TabsList>
          <TabsContent value="members" className="flex min-h-0 flex-col gap-3">
            {moderator && (
              <AddPeople
                room={room}
                members={members.data ?? []}
                onAdd={(user) =>
                  change(() => api.addMember(room, user.id), `Added ${user.name} to #${room}.`)
                }
              />
            )}
            {problem !== undefined && (
              <p role="alert" className="text-sm text-rose-300">
                {problem}
              </p>
            )}
            {members.isError && (
              <p role="alert" className="text-sm text-rose-300">
                {problemOf(members.error)}
              </p>
            )}
            <ul aria-label="Members" className="-mx-2 flex max-h-[45vh] flex-col overflow-y-auto">
              {members.data?.map((member) => (
                <MemberRow
                  key={member.userId}
                  member={member}
                  me={me.id}
                  mine={mine}
                  online={online.has(member.userId)}
                  onRole={(role) =>
                    change(
                      () => api.setRole(room, member.userId, role),
                      `${member.name} is now ${roleLabel[role].toLowerCase()}.`,
                    )
                  }
                  onRemove={() =>
                    change(
                      () => api.removeMember(room, member.userId),
                      `Removed ${member.name} from #${room}.`,
                    ).then((removed) => {
                      if (removed)
                        toast(`Removed ${member.name} from #${room}.`, {
                          action: {
                            label: 'Undo',
                            onClick: () =>
                              void change(
                                () => api.addMember(room, member.userId, member.role),
                                `${member.name} is back in #${room}.`,
                              ),
                          },
                        });
                    })
                  }
                  onLeave={() => void leave()}
                />
              ))}
            </ul>
          </TabsContent>
          {moderator && (
            <TabsContent value="activity">
              <ActivityLog room={room} />
            </TabsContent>
          )}
        </Tabs>
        <p aria-live="polite" className="sr-only">
          {said}
        </p>
      </DialogContent>
    </Dialog>
  );
}

function MemberRow({
  member,
  me,
  mine,
  online,
  onRole,
  onRemove,
  onLeave,
}: {
  member: ChannelMember;
  me: string;
  mine: ChannelRole;
  online: boolean;
  onRole: (role: ChannelRole) => void;
  onRemove: () => void;
  onLeave: () => void;
}) {
  const self = member.userId === me;
  // Owners give roles (their own too: stepping down), others see them.
  const canSetRole = mine === 'owner';
  const canRemove = !self && rank[mine] >= rank.moderator && rank[member.role] < rank[mine];
  const selectId = useId();
  return (
    <li className="flex items-center gap-2 rounded-md px-2 py-1.5" data-testid="member">
      <Avatar name={member.name} online={online} />
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium">
          <bdi>{member.name}</bdi>
          {self && <span className="text-slate-400"> (you)</span>}
        </span>
        {member.username !== null && (
          <span className="block truncate text-xs text-slate-400">@{member.username}</span>
        )}
      </span>
      {canSetRole ? (
        <>
          <label htmlFor={selectId} className="sr-only">
            Role of {member.name}
          </label>
          <select
            id={selectId}
            value={member.role}
            onChange={(e) => onRole(e.target.value as ChannelRole)}
            className={cn(fieldClass, 'w-auto py-1 text-sm')}
          >
            {(['member', 'moderator', 'owner'] as const).map((role) => (
              <option key={role} value={role}>
                {roleLabel[role]}
              </option>
            ))}
          </select>
        </>
      ) : (
        <span className="rounded-full bg-slate-800 px-2 py-0.5 text-xs text-slate-300">
          {roleLabel[member.role]}
        </span>
      )}
      {canRemove && (
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Remove ${member.name}`}
          title={`Remove ${member.name}`}
          onClick={onRemove}
        >
          <UserX />
        </Button>
      )}
      {self && (
        <Button variant="ghost" size="sm" onClick={onLeave}>
          <LogOut aria-hidden /> Leave
        </Button>
      )}
    </li>
  );
}

/** Finds accounts by name, leaving out the channel's members, and adds one. */
function AddPeople({
  room,
  members,
  onAdd,
}: {
  room: RoomId;
  members: readonly ChannelMember[];
  onAdd: (user: { id: string; name: string }) => Promise<boolean>;
}) {
  const { api } = useChat();
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 200);
  const box = useRef<HTMLInputElement>(null);
  const results = useQuery({
    queryKey: ['users', query],
    enabled: query !== '',
    queryFn: () => api.searchUsers(query),
  });
  const inRoom = new Set(members.map((m) => m.userId));
  const found = results.data?.filter((user) => !inRoom.has(user.id)) ?? [];
  return (
    <div className="flex flex-col gap-1">
      <Input
        ref={box}
        id={addFieldId}
        aria-label={`Add people to #${room}`}
        placeholder="Add people by name or username"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {query !== '' && results.isSuccess && (
        <ul aria-label="People to add" className="-mx-2 flex max-h-40 flex-col overflow-y-auto">
          {found.length === 0 && (
            <li className="px-2 py-1 text-sm text-slate-400">
              {results.data.length === 0 ? 'Nobody by that name.' : 'Everyone found is in already.'}
            </li>
          )}
          {found.map((user) => (
            <li key={user.id} className="flex items-center gap-2 px-2 py-1">
              <Avatar name={user.name} />
              <span className="min-w-0 flex-1 truncate">
                {user.name}
                {user.username !== null && (
                  <span className="text-sm text-slate-400"> @{user.username}</span>
                )}
              </span>
              <Button
                size="sm"
                aria-label={`Add ${user.name}`}
                onClick={() =>
                  void onAdd(user).then((added) => {
                    if (!added) return;
                    setText('');
                    box.current?.focus();
                  })
                }
              >
                <UserPlus aria-hidden /> Add
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ActivityLog({ room }: { room: RoomId }) {
  const { api } = useChat();
  const log = useQuery({ queryKey: ['audit', room], queryFn: () => api.auditLog(room) });
  if (log.isError)
    return (
      <p role="alert" className="text-sm text-rose-300">
        {problemOf(log.error)}
      </p>
    );
  if (log.data === undefined) return <p className="text-sm text-slate-400">Loading…</p>;
  if (log.data.length === 0) return <p className="text-sm text-slate-400">Nothing yet.</p>;
  return (
    <ol aria-label="Activity log" className="flex max-h-[50vh] flex-col gap-1 overflow-y-auto">
      {log.data.map((entry) => (
        <li key={entry.id} className="text-sm" data-testid="audit-entry">
          {describeAudit(entry)}
          <time dateTime={entry.at} className="block text-xs text-slate-400">
            {when.format(new Date(entry.at))}
          </time>
        </li>
      ))}
    </ol>
  );
}
