// socket.io-client is most of the widget's weight (~13 KB gzip) and most page views never need it:
// it is fetched when a conversation starts (the visitor opens the chat, or has chatted before).
// The app build (rollup.config.mjs, `lazyModules`) replaces this module with a loader of the
// content-hashed `sio.<hash>.js` script next to the app; here (npm build) it is a dynamic import.
import type { io } from 'socket.io-client';

export type Io = typeof io;

export function loadIo(): Promise<Io> {
  return import('socket.io-client').then((m) => m.io);
}
