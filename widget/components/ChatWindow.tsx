import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatState } from '../state/chat.ts';
import type { UiState } from '../state/ui.ts';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { Composer } from './Composer.tsx';
import { FeatureSlot, openPanel } from './FeatureSlot.tsx';
import { adoptStyles } from '../host.ts';
import { CLOSE_ICON, LIST_ICON } from './icons.ts';
import { Icon } from './Icon.tsx';
import { MessageList } from './MessageList.tsx';
import { useWidget } from './context.ts';

export interface ChatWindowProps {
  chat: ChatState;
  ui: UiState;
  /** Close and give focus back to the launcher. */
  onClose(): void;
}

/** Below this width the window covers the whole screen (window.css uses the same breakpoint). */
export const FULL_SCREEN = '(max-width: 640px)';
const FOCUSABLE = 'button:not([disabled]), textarea:not([disabled]), input:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * Decision: feature buttons (the payments bell) live in this header, not next to the launcher. The
 * storefront keeps one floating bubble (a second one crowds phones and the merchant's own buttons),
 * toasts already reach the customer while the window is closed, and pages that want a bell in their
 * own header build it on the JS API.
 */
export function ChatWindow({ chat, ui, onClose }: ChatWindowProps) {
  const { i18n, controller, features } = useWidget();
  const input = useRef<HTMLTextAreaElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  /** The header button that opened the panel: focus goes back to it when the panel closes. */
  const opener = useRef<HTMLElement | null>(null);
  const panel = openPanel(features, ui);
  const listing = ui.panel === CONVERSATIONS;
  const conversations = useConversations(listing, dialog);
  // Anyone who has written has a list to go back to (and a new conversation to start).
  const canList = chat.others > 0 || (chat.conversation?.lastSeq ?? 0) > 0;
  const fullScreen = typeof matchMedia === 'function' && matchMedia(FULL_SCREEN).matches;

  // Focus enters the window when it opens: straight into the composer (a panel shown instead takes
  // it itself). When a panel closes, focus the button that closed it keeps; lost focus goes to the composer.
  useEffect(() => {
    const active = (dialog.current?.getRootNode() as ShadowRoot | undefined)?.activeElement;
    if (!ui.panel && !dialog.current?.contains(active ?? null)) input.current?.focus();
  }, [ui.panel]);
  const openConversation = (id: string | null): void => {
    closePanel();
    void controller.openConversation(id);
  };
  const closePanel = (): void => {
    controller.showPanel(null);
    if (opener.current?.isConnected) opener.current.focus();
  };

  const typingName = chat.typing ? (chat.typing.name ?? (chat.typing.type === 'assistant' ? i18n.t('assistant') : i18n.t('agent'))) : null;
  const greeting = ui.settings?.greeting;
  return (
    <div
      ref={dialog}
      id="vc-window"
      class="vc-window"
      role="dialog"
      // Full screen, nothing else is reachable: focus stays inside (and screen readers are told so).
      aria-modal={fullScreen ? 'true' : 'false'}
      aria-labelledby="vc-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          if (panel || listing) closePanel();
          else onClose();
        } else if (e.key === 'Tab' && fullScreen && dialog.current) trapTab(e, dialog.current);
      }}
    >
      <div
        class="vc-header"
        onClickCapture={(e) => void (opener.current = (e.target as HTMLElement).closest('button'))}
      >
        <div class="vc-header-text">
          <h2 id="vc-title" class="vc-title">
            {i18n.t('title', { name: ui.workspaceName ?? i18n.t('fallbackName') })}
          </h2>
          {/* No promise of a reply time the merchant did not make: their greeting, their reply time, or a neutral line. */}
          <p class="vc-subtitle">{greeting || ui.settings?.replyTime || i18n.t('subtitle')}</p>
        </div>
        {canList && (
          <button
            type="button"
            class="vc-icon-button"
            aria-label={i18n.t('conversations')}
            aria-expanded={listing}
            onClick={() => (listing ? closePanel() : controller.showPanel(CONVERSATIONS))}
          >
            <Icon path={LIST_ICON} />
          </button>
        )}
        <FeatureSlot slot="HeaderButtons" ui={ui} />
        <button type="button" class="vc-icon-button" aria-label={i18n.t('minimize')} onClick={onClose}>
          <Icon path={CLOSE_ICON} />
        </button>
      </div>
      <ConnectionBanner status={ui.status} error={ui.error} />
      {listing ? (
        conversations ? (
          <conversations.Conversations current={chat.conversation?.id ?? null} list={controller.listConversations} open={openConversation} />
        ) : null
      ) : panel ? (
        <panel.Panel i18n={i18n} ui={ui} panel={ui.panel} />
      ) : ui.panel ? (
        // A feature's panel whose code is on its way (it goes back to the messages if it cannot come).
        <div class="vc-body" aria-busy="true" />
      ) : (
        <>
          <MessageList chat={chat} ui={ui} />
          <div class="vc-typing" aria-live="polite">
            {typingName && (
              <>
                <span class="vc-dots" aria-hidden="true">
                  <span />
                  <span />
                  <span />
                </span>
                {i18n.t('typing', { name: typingName })}
              </>
            )}
          </div>
          {/* Refused for good (site not set up, …): nothing to type into that could never leave. */}
          {ui.status !== 'failed' && <Composer draft={ui.draft} inputRef={input} />}
        </>
      )}
    </div>
  );
}

/** The panel id of the customer's conversation list (the core's own; features' are `<feature>:<panel>`). */
const CONVERSATIONS = 'conversations';

type ConversationsModule = typeof import('./Conversations.tsx');
/** Per widget (shadow root): the list's chunk, fetched once, with its CSS adopted once. */
const conversationsChunk = new WeakMap<Node, Promise<ConversationsModule>>();

function useConversations(wanted: boolean, dialog: { current: HTMLElement | null }): ConversationsModule | null {
  const [module, setModule] = useState<ConversationsModule | null>(null);
  useEffect(() => {
    const root = dialog.current?.getRootNode();
    if (!wanted || module || !root) return;
    let p = conversationsChunk.get(root);
    if (!p) {
      p = import('./Conversations.tsx').then((m) => (adoptStyles(root as ShadowRoot, m.css), m));
      conversationsChunk.set(root, p);
      p.catch(() => conversationsChunk.delete(root));
    }
    p.then((m) => setModule(() => m), () => {});
  }, [wanted]);
  return module;
}

/** Tab and Shift+Tab wrap around inside the window instead of walking into the page behind it. */
function trapTab(e: KeyboardEvent, dialog: HTMLElement): void {
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  const active = (dialog.getRootNode() as ShadowRoot).activeElement;
  if (e.shiftKey && (active === first || !dialog.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !dialog.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}
