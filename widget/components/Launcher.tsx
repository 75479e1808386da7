import type { Ref } from 'preact';
import { CHAT_ICON, CLOSE_ICON } from './icons.ts';
import { Icon } from './Icon.tsx';
import { useWidget } from './context.ts';

export interface LauncherProps {
  open: boolean;
  unread: number;
  buttonRef: Ref<HTMLButtonElement>;
  /** The visitor may be about to open the chat: fetch the window now, so it opens at once. */
  onIntent(): void;
}

export function Launcher({ open, unread, buttonRef, onIntent }: LauncherProps) {
  const { i18n, controller } = useWidget();
  // The badge is decoration; the count is part of the button's name for screen readers.
  const label = open ? i18n.t('closeChat') : unread > 0 ? `${i18n.t('openChat')}, ${i18n.plural('unread', unread)}` : i18n.t('openChat');
  return (
    <button
      ref={buttonRef}
      type="button"
      class="vc-launcher"
      aria-label={label}
      aria-expanded={open}
      aria-controls="vc-window"
      onClick={() => controller.toggle()}
      onPointerEnter={onIntent}
      onPointerDown={onIntent}
      onFocus={onIntent}
    >
      <Icon path={open ? CLOSE_ICON : CHAT_ICON} />
      {unread > 0 && !open && (
        <span class="vc-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}
