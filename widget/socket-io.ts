// socket.io-client is most of the widget's weight (~11 KB gzip) and most page views never need it:
// it is fetched when a conversation starts (the visitor opens the chat, or has chatted before).
import type { io } from 'socket.io-client';

export type Io = typeof io;

export const loadIo = (): Promise<Io> => import('./sio.ts').then((m) => m.io);
