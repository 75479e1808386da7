// Who is acting. Built by the transports from verified credentials, consumed by services.
export type Principal =
  | { kind: 'visitor'; workspaceId: string; visitorId: string; contactId: string }
  | { kind: 'customer'; workspaceId: string; externalId: string; contactId: string }
  | { kind: 'agent'; workspaceId: string; agentId: string; name: string };

/** The room key of a principal's own user room (payments and multi-device sync go there). */
export function userKey(p: Principal): string {
  switch (p.kind) {
    case 'customer':
      return `user-${p.externalId}`;
    case 'visitor':
      return `visitor-${p.visitorId}`;
    case 'agent':
      return `agent-${p.agentId}`;
  }
}

export const identityKey = (p: Principal): string =>
  p.kind === 'agent' ? `agent:${p.agentId}` : `contact:${p.contactId}`;
