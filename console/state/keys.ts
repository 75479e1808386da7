// Keyboard shortcuts: a key press → an action, or nothing. Never while typing in a field (except Ctrl/⌘+K
// and Escape), never with other modifiers held.
export type KeyAction = 'next' | 'prev' | 'open' | 'reply' | 'note' | 'resolve' | 'assign' | 'snooze' | 'search' | 'help' | 'escape';

export const SHORTCUTS: { keys: string[]; action: KeyAction }[] = [
  { keys: ['j'], action: 'next' },
  { keys: ['k'], action: 'prev' },
  { keys: ['Enter'], action: 'open' },
  { keys: ['r'], action: 'reply' },
  { keys: ['n'], action: 'note' },
  { keys: ['e'], action: 'resolve' },
  { keys: ['a'], action: 'assign' },
  { keys: ['s'], action: 'snooze' },
  { keys: ['Ctrl/⌘', 'K'], action: 'search' },
  { keys: ['?'], action: 'help' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  isComposing?: boolean;
  target: EventTarget | null;
}

/** An element where keys type text (or pick, or press): shortcuts stay out of its way. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as (HTMLElement & { isContentEditable?: boolean }) | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

const interactive = (target: EventTarget | null) => {
  const tag = (target as HTMLElement | null)?.tagName?.toLowerCase();
  return tag === 'button' || tag === 'a' || tag === 'summary';
};

export function keyAction(e: KeyLike): KeyAction | null {
  if (e.isComposing) return null;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') return 'search';
  if (e.key === 'Escape') return 'escape';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return null;
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return e.key === 'j' ? 'next' : null;
    case 'k':
      return 'prev';
    // Enter on a button or link is that control's own click.
    case 'Enter':
      return interactive(e.target) ? null : 'open';
    case 'r':
      return 'reply';
    case 'n':
      return 'note';
    case 'e':
      return 'resolve';
    case 'a':
      return 'assign';
    case 's':
      return 'snooze';
    case '?':
      return 'help';
    default:
      return null;
  }
}
