/** A person's initial on a colour of their own, the same on every screen. */
export function Avatar({ name }: { name: string }) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span
      aria-hidden
      className="flex size-5 shrink-0 items-center justify-center rounded-full text-[0.65rem] font-bold text-white"
      style={{ backgroundColor: `hsl(${hash % 360} 45% 38%)` }}
    >
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
