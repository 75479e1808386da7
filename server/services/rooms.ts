// Room names and identity keys: built here and nowhere else. Internal room names carry the workspace id,
// so nothing published to one workspace's users can reach another's.
import type { Principal } from './principal.ts';

export const rooms = {
  conversation: (conversationId: string) => `conv:${conversationId}`,
  /** The console sockets showing one conversation (viewers presence; on every instance through the adapter). */
  viewing: (conversationId: string) => `viewing:${conversationId}`,
  /** Every agent of a workspace (new messages in any of its conversations). */
  agents: (workspaceId: string) => `agents:${workspaceId}`,
  /** All sockets of one user (payments and multi-device sync go there); `key` is a `userKey`. */
  user: (workspaceId: string, key: string) => `user:${workspaceId}:${key}`,
  /** The user room of a merchant's customer, by the id the merchant knows them by. */
  customer: (workspaceId: string, externalId: string) => rooms.user(workspaceId, customerKey(externalId)),
};

/** A customer's user key: the room name `join-user-room` answers and `session.userRoom` announces. */
export const customerKey = (externalId: string) => `user-${externalId}`;

/** An anonymous visitor's user key. */
export const visitorKey = (visitorId: string) => `visitor-${visitorId}`;

/** The user key of a principal's own user room. */
export function userKey(p: Principal): string {
  switch (p.kind) {
    case 'customer':
      return customerKey(p.externalId);
    case 'visitor':
      return visitorKey(p.visitorId);
    case 'agent':
      return `agent-${p.agentId}`;
  }
}

/** Who acts, for per-identity rate limits: every connection of one agent or one contact shares the key. */
export const identityKey = (p: Principal): string => (p.kind === 'agent' ? `agent:${p.agentId}` : `contact:${p.contactId}`);
