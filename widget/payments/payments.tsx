// The payments feature's chunk (payments.<hash>.js), fetched through its descriptor (feature.ts):
// the controller that joins the customer's user room and keeps notification state, and what it adds
// to the widget through the feature seam — toasts (shown with the chat closed), the bell and its
// list, payment and receipt cards in the conversation, and the notification API methods.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useStore } from '../components/context.ts';
import { VeryChatError } from '../errors.ts';
import type { Feature, FeatureHost, FeatureViewProps } from '../feature.ts';
import type { ChatMessage } from '../state/chat.ts';
import { createStore, type Store } from '../state/store.ts';
import type { GetNotificationsOptions, VeryChatNotifications } from '../types.ts';
import { createPayments } from './controller.ts';
import { messages, type PaymentsI18n } from './i18n/index.ts';
import css from './payments.css?inline';
import { asPayment, initialPaymentsState, type PaymentsState, type Toast } from './state.ts';
import { Bell, PaymentCard, Toasts } from './ui.tsx';

type PanelModule = typeof import('./panel.tsx');

export { css, messages };

/** The feature, plus its state for tests and tools to read. */
export interface PaymentsFeature extends Feature {
  store: Store<PaymentsState>;
}

export function create(host: FeatureHost): PaymentsFeature {
  const store = createStore(initialPaymentsState());
  const controller = createPayments({
    connection: host.connection,
    store,
    emit: host.emit,
    log: host.log,
    apiUrl: host.apiUrl,
    identity: () => host.chat.identity(),
    status: host.status(),
    session: host.session(),
  });

  function HeaderButtons({ i18n, panel }: FeatureViewProps) {
    const s = useStore(store);
    if (!s.customer) return null;
    const open = panel === 'notifications';
    return <Bell unread={s.unreadCount} open={open} i18n={i18n} onToggle={() => host.showPanel(open ? null : 'notifications')} />;
  }

  /** The chunk of the list behind the bell, fetched the first time it opens. */
  let panel: Promise<PanelModule> | null = null;
  const loadPanel = (): Promise<PanelModule> =>
    (panel ??= import('./panel.tsx').then(
      (m) => (host.adoptCss(m.css), m),
      (e: unknown) => {
        panel = null;
        throw e;
      },
    ));

  /** The list behind the bell: opens with focus on its heading, loading the full first page. */
  function Notifications({ i18n }: FeatureViewProps) {
    const s = useStore(store);
    const heading = useRef<HTMLHeadingElement>(null);
    const [ui, setUi] = useState<PanelModule | null>(null);
    useEffect(() => {
      controller.list();
      loadPanel().then((m) => setUi(() => m), (e: unknown) => host.log.warn('Could not load the notifications.', e));
    }, []);
    useEffect(() => heading.current?.focus(), [ui]);
    if (!ui) return <p class="vc-note">{(i18n as PaymentsI18n).t('loading')}</p>;
    return (
      <ui.NotificationsPanel
        state={s}
        i18n={i18n}
        receiptUrl={controller.receiptUrl}
        onMarkRead={(ids) => void controller.markRead(ids)}
        onLoadOlder={controller.loadOlder}
        headingRef={heading}
      />
    );
  }

  function Overlay({ i18n, ui }: FeatureViewProps) {
    const s = useStore(store);
    // Acting on a toast reads its notification; without a receipt to open, it opens the chat.
    const onOpen = (toast: Toast, receipt: boolean): void => {
      controller.dismissToast(toast.id);
      void controller.markRead([toast.id]);
      if (!receipt) host.chat.open();
    };
    // Each toast's text is a status (failure: alert) region of its own.
    return (
      <div class="vc-toasts">
        <Toasts toasts={s.toasts} i18n={i18n} receiptUrl={controller.receiptUrl} chatOpen={ui.open} onDismiss={controller.dismissToast} onOpen={onOpen} />
      </div>
    );
  }

  const card = (kind: 'payment' | 'receipt') => (m: ChatMessage, i18n: PaymentsI18n) => {
    const payment = asPayment(m.payload);
    return payment ? <PaymentCard payment={payment} kind={kind} i18n={i18n} href={controller.receiptUrl(payment, i18n.locale)} /> : null;
  };

  /** The receipt link this device holds for one of the customer's payments (notifications, payment cards). */
  function receiptUrl(ref: { paymentId: string; receiptId: string }, locale: string): string | null {
    const candidates = [...store.get().notifications.map((n) => n.payment), ...host.chatState.get().messages.map((m) => asPayment(m.payload))];
    const p = candidates.find((x) => x?.paymentId === ref.paymentId && x.receiptId === ref.receiptId);
    return p ? controller.receiptUrl(p, locale) : null;
  }

  return {
    store,
    HeaderButtons,
    // The page's badges count unread notifications with the chat's unread messages.
    badge: { get: () => store.get().unreadCount, subscribe: (l) => store.subscribe((s) => l(s.unreadCount)) },
    services: { receiptUrl },
    panels: { notifications: Notifications },
    Overlay,
    messages: { payment: card('payment'), receipt: card('receipt') },
    api: {
      async getNotifications(query) {
        const res = await controller.getNotifications(query as GetNotificationsOptions);
        if (!res.ok) throw new VeryChatError(res.error.code, `getNotifications() failed: ${res.error.message}`);
        return { notifications: res.notifications, unreadCount: res.unreadCount, hasMore: res.hasMore } satisfies VeryChatNotifications;
      },
      markNotificationsRead: async (ids) => ({ unreadCount: await controller.markRead(ids as string[] | undefined) }),
    },
    reset: controller.reset,
    destroy: controller.destroy,
  };
}
