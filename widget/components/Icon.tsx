/** A decorative icon: the button around it carries the accessible name. Even-odd fill, so a shape can cut holes (a tick in a circle). */
export function Icon({ path }: { path: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={path} fill-rule="evenodd" />
    </svg>
  );
}
