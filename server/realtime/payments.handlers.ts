// Notification commands, and the catch-up a customer gets when joining their user room.
import type { Server } from 'socket.io';
import type { Logger } from '../logger.ts';
import type { NotificationService } from '../services/notifications/notifications.service.ts';
import type { CommandHandlers, SocketData } from './handle.ts';

/** Unread items pushed on join; older or read ones come from `get-notifications`. */
const CATCH_UP_PAGE = 20;

export function paymentHandlers(notifications: NotificationService) {
  return {
    'get-notifications': {
      limits: ['command:conn'],
      run: (payload, { data }) => notifications.page(data.principal, payload),
    },
    'mark-notifications-read': {
      limits: ['command:conn'],
      run: (payload, { data }) => notifications.markRead(data.principal, payload),
    },
  } satisfies Partial<CommandHandlers>;
}

/**
 * When a customer's socket joins its own user room (`join-user-room`), send it the unread notifications:
 * what happened while they were offline. Hooked on the adapter so the chat handler stays unaware of it.
 */
export function sendNotificationsOnJoin(io: Server, notifications: NotificationService, logger: Logger) {
  io.of('/').adapter.on('join-room', (room: string, socketId: string) => {
    const socket = io.of('/').sockets.get(socketId);
    const data = socket?.data as SocketData | undefined;
    if (!socket || !data || room !== data.userRoom || data.principal.kind !== 'customer') return;
    notifications.page(data.principal, { unread: true, limit: CATCH_UP_PAGE }).then(
      (page) => socket.emit('notifications', page),
      (err: unknown) => logger.warn({ err, socket: socketId }, 'notification catch-up failed'),
    );
  });
}
