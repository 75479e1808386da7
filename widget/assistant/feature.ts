// The assistant's descriptor (in the app chunk; see widget/feature.ts): its public methods, events and
// page view, that it sends the composer's text (send-ai-query), its home view, and when to fetch its
// chunk (assistant.tsx): when the window opens, or a conversation has messages. Page views where
// nobody opens the chat never download it.
import type { FeatureDescriptor } from '../feature.ts';

export const assistant: FeatureDescriptor = {
  name: 'assistant',
  events: ['ai-response', 'handoff'],
  methods: {
    showHelp: (args, call) => import('./methods.ts').then((m) => m.showHelp(args, call)),
    showArticle: (args, call) => import('./methods.ts').then((m) => m.showArticle(args, call)),
    ask: (args, call) => import('./methods.ts').then((m) => m.ask(args, call)),
  },
  sends: true,
  home: 'home',
  views: { help: 'home' },
  wanted: ({ open, chat }) => open || chat.messages.length > 0,
  load: () => import('./assistant.tsx'),
};
