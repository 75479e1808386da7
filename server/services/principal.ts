// Who is acting. Built by the transports from verified credentials, consumed by services.
export type Principal =
  | { kind: 'visitor'; workspaceId: string; visitorId: string; contactId: string }
  | { kind: 'customer'; workspaceId: string; externalId: string; contactId: string }
  | { kind: 'agent'; workspaceId: string; agentId: string; name: string };
