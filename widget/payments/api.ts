// The payments feature's public methods (getNotifications, markNotificationsRead): argument checks
// and the answers that need no payments chunk. A chunk of its own (api.<hash>.js), fetched by the
// first such call, so pages that never call them never download this code.
import { MAX_NOTIFICATIONS_PAGE } from '../../protocol/limits.ts';
import { VeryChatError } from '../errors.ts';
import type { Feature, FeatureCall } from '../feature.ts';
import type { GetNotificationsOptions, VeryChatNotifications } from '../types.ts';

/** markNotificationsRead() sends ids in batches the server accepts; this caps one call. */
const MAX_READ_IDS_PER_CALL = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkNotificationsQuery(options: unknown): string | null {
  if (options === undefined) return null;
  const what = 'getNotifications(options)';
  if (!isObject(options)) return `${what} takes an object: { before?, limit?, unread? }.`;
  const unknown = Object.keys(options).filter((k) => k !== 'before' && k !== 'limit' && k !== 'unread');
  if (unknown.length) return `${what}: unknown option ${JSON.stringify(unknown[0])}; known: before, limit, unread.`;
  const { before, limit, unread } = options;
  if (before !== undefined && (typeof before !== 'string' || !UUID.test(before))) return `${what}: before must be a notification id.`;
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_NOTIFICATIONS_PAGE)) {
    return `${what}: limit must be a whole number from 1 to ${MAX_NOTIFICATIONS_PAGE}.`;
  }
  if (unread !== undefined && typeof unread !== 'boolean') return `${what}: unread must be a boolean.`;
  return null;
}

function checkNotificationIds(ids: unknown): string | null {
  if (ids === undefined) return null;
  const what = 'markNotificationsRead(ids)';
  if (!Array.isArray(ids)) return `${what} takes an array of notification ids, or nothing to mark all read.`;
  if (ids.length > MAX_READ_IDS_PER_CALL) return `${what}: at most ${MAX_READ_IDS_PER_CALL} ids per call; call it without ids to mark all read.`;
  const bad = ids.find((id) => typeof id !== 'string' || !UUID.test(id));
  if (bad !== undefined) return `${what}: ${JSON.stringify(bad)} is not a notification id.`;
  return null;
}

/** The chunk for an API call: a failed download is a NETWORK error, not a bug of ours. */
const loaded = (load: () => Promise<Feature>) =>
  load().catch((e: unknown) => {
    throw new VeryChatError('NETWORK', `Could not load the payments module: ${e instanceof Error ? e.message : String(e)}`);
  });

export async function getNotifications([options]: unknown[], call: FeatureCall): Promise<unknown> {
  const problem = checkNotificationsQuery(options);
  if (problem) return call.misuse(problem);
  const { chat, load } = await call.ready();
  // Payments belong to identified customers: an anonymous visitor has none (no download either).
  if (!chat.identity()) return { notifications: [], unreadCount: 0, hasMore: false } satisfies VeryChatNotifications;
  return (await loaded(load)).api!.getNotifications!((options ?? {}) as GetNotificationsOptions);
}

export async function markNotificationsRead([ids]: unknown[], call: FeatureCall): Promise<unknown> {
  const problem = checkNotificationIds(ids);
  if (problem) return call.misuse(problem);
  const { chat, load } = await call.ready();
  if (!chat.identity()) return { unreadCount: 0 };
  return (await loaded(load)).api!.markNotificationsRead!(ids);
}
