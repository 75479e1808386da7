// Per-user notifications (customers, keyed by the merchant's user id) with read state, synced across devices.
import type {
  GetNotifications,
  MarkNotificationsRead,
  NotificationDto,
  NotificationsPage,
  NotificationsReadEvent,
  PaymentEventDto,
} from '../../../protocol/payments.ts';
import type { Notification, Prisma, PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { Principal } from '../principal.ts';
import type { Publisher } from '../publisher.ts';
import { rooms } from '../rooms.ts';

const DEFAULT_PAGE = 20;

export interface NewNotification {
  id: string;
  workspaceId: string;
  userId: string;
  /** Idempotency key, unique per user. */
  key: string;
  paymentId: string;
  data: PaymentEventDto;
}

/**
 * Stored views as their reader sees them now: the payments service gives each one a fresh receipt link (the
 * stored links expire). Without one, views are shown as stored.
 */
export type PresentViews = (workspaceId: string, userId: string, views: PaymentEventDto[]) => Promise<PaymentEventDto[]>;

export class NotificationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: Publisher,
    private readonly present: PresentViews = async (_w, _u, views) => views,
  ) {}

  /** Written by the caller's transaction, so a notification exists exactly when its cause does. */
  async createWithin(tx: Prisma.TransactionClient, items: NewNotification[]): Promise<void> {
    if (!items.length) return;
    await tx.notification.createMany({
      data: items.map((n) => ({ ...n, data: n.data as unknown as Prisma.InputJsonValue })),
    });
  }

  /** Newest first. Visitors have no notifications (payments concern identified customers only). */
  async page(p: Principal, q: GetNotifications = {}): Promise<NotificationsPage> {
    const userId = this.userOf(p);
    if (userId === null) return { unreadCount: 0, notifications: [], hasMore: false };
    const limit = q.limit ?? DEFAULT_PAGE;
    const base = { workspaceId: p.workspaceId, userId };
    let after: { createdAt: Date; id: string } | null = null;
    if (q.before) {
      after = await this.prisma.notification.findFirst({ where: { ...base, id: q.before }, select: { createdAt: true, id: true } });
      if (!after) throw new AppError('NOT_FOUND', 'No such notification.');
    }
    const [rows, unreadCount] = await Promise.all([
      this.prisma.notification.findMany({
        where: {
          ...base,
          ...(q.unread && { readAt: null }),
          ...(after && {
            OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
          }),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      }),
      this.unreadCount(p.workspaceId, userId),
    ]);
    const page = rows.slice(0, limit);
    const views = await this.present(p.workspaceId, userId, page.map((n) => n.data as unknown as PaymentEventDto));
    return { unreadCount, notifications: page.map((n, i) => toDto(n, views[i]!)), hasMore: rows.length > limit };
  }

  /** Marks some (or all) as read and tells the user's other devices. */
  async markRead(p: Principal, input: MarkNotificationsRead): Promise<NotificationsReadEvent> {
    const userId = this.userOf(p);
    if (userId === null) return { ids: [], all: 'all' in input, unreadCount: 0 };
    const base = { workspaceId: p.workspaceId, userId, readAt: null };
    const now = new Date();
    let ids: string[] = [];
    if ('all' in input) {
      // Only what exists now: a notification arriving meanwhile stays unread.
      await this.prisma.notification.updateMany({ where: { ...base, createdAt: { lte: now } }, data: { readAt: now } });
    } else {
      const unread = await this.prisma.notification.findMany({ where: { ...base, id: { in: input.ids } }, select: { id: true } });
      ids = unread.map((n) => n.id);
      if (ids.length) await this.prisma.notification.updateMany({ where: { ...base, id: { in: ids } }, data: { readAt: now } });
    }
    const event: NotificationsReadEvent = {
      ids,
      all: 'all' in input,
      unreadCount: await this.unreadCount(p.workspaceId, userId),
    };
    if (event.all || ids.length) this.publisher.publish([rooms.customer(p.workspaceId, userId)], 'notifications-read', event);
    return event;
  }

  /** Who was told what about one payment outcome (to finish an interrupted fan-out). */
  async forPayment(workspaceId: string, paymentId: string, key: string): Promise<{ userId: string; view: PaymentEventDto }[]> {
    const rows = await this.prisma.notification.findMany({ where: { workspaceId, paymentId, key }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({ userId: r.userId, view: r.data as unknown as PaymentEventDto }));
  }

  private unreadCount(workspaceId: string, userId: string): Promise<number> {
    return this.prisma.notification.count({ where: { workspaceId, userId, readAt: null } });
  }

  private userOf(p: Principal): string | null {
    if (p.kind === 'agent') throw new AppError('FORBIDDEN', 'Notifications belong to customers.');
    return p.kind === 'customer' ? p.externalId : null;
  }
}

function toDto(n: Notification, payment: PaymentEventDto): NotificationDto {
  return { id: n.id, kind: 'payment', read: n.readAt !== null, createdAt: n.createdAt.toISOString(), payment };
}
