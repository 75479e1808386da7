// The payments feature's descriptor (in the app chunk; see widget/feature.ts): its public methods
// and events, and when to fetch its chunk (payments.tsx): an identified customer's session, or a
// payment card in the conversation. Anonymous page views, the vast majority, never download it.
import type { FeatureDescriptor } from '../feature.ts';

export const payments: FeatureDescriptor = {
  name: 'payments',
  events: ['payment', 'notifications', 'unread-notifications'],
  methods: {
    getNotifications: (args, call) => import('./api.ts').then((m) => m.getNotifications(args, call)),
    markNotificationsRead: (args, call) => import('./api.ts').then((m) => m.markNotificationsRead(args, call)),
  },
  // The page's bell (data-verychat="notifications") opens the list.
  views: { notifications: 'notifications' },
  wanted: ({ session, chat }) => session?.role === 'customer' || chat.messages.some((m) => m.kind === 'payment' || m.kind === 'receipt'),
  load: () => import('./payments.tsx'),
};
