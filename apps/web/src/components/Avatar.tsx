/** A person's initial on a colour of their own, the same on every screen. */
export function Avatar({ name, online }: { name: string; online?: boolean | undefined }) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span
      aria-hidden
      className="relative flex size-5 shrink-0 items-center justify-center rounded-full text-[0.65rem] font-bold text-white"
      style={{ backgroundColor: `hsl(${hash % 360} 45% 38%)` }}
    >
      {name.slice(0, 1).toUpperCase()}
      {online !== undefined && (
        <span
          className={`absolute -right-0.5 -bottom-0.5 size-2 rounded-full border border-slate-900 ${online ? 'bg-emerald-400' : 'bg-slate-500'}`}
        />
      )}
    </span>
  );
}
