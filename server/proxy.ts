// Which reverse proxies are trusted (TRUST_PROXY), and what that makes of a request: the client's address,
// the protocol and the host the browser used. One rule for Fastify's `request.ip` and for the Socket.io
// handshake, so no client can pick its own address (per-IP limits) or claim HTTPS on either. Headers a
// client could have written itself (X-Forwarded-*) count only when they come from a trusted proxy.
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

export type TrustProxy =
  | { kind: 'off' }
  /** The last `hops` entries of X-Forwarded-For were added by proxies: only for servers reachable through them alone. */
  | { kind: 'hops'; hops: number }
  /** Proxies by address: IPs, CIDR ranges, or proxy-addr's names (loopback, linklocal, uniquelocal). */
  | { kind: 'addresses'; addresses: string[] };

export const MAX_PROXY_HOPS = 10;

/** "off", a hop count or a comma-separated address list; null when the text is none of these. */
export function parseTrustProxy(text: string): TrustProxy | null {
  const value = text.trim();
  if (/^(off|false|0)$/i.test(value)) return { kind: 'off' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= MAX_PROXY_HOPS ? { kind: 'hops', hops } : null;
  }
  const addresses = value.split(',').map((s) => s.trim());
  if (addresses.some((a) => !a)) return null;
  try {
    proxyAddr.compile(addresses);
  } catch {
    return null;
  }
  return { kind: 'addresses', addresses };
}

export interface ProxyRule {
  /** Fastify's `trustProxy`: false, or the same trust function the methods below use. */
  readonly fastify: false | ((address: string, hop: number) => boolean);
  /** The client's address: the peer's, or the nearest untrusted one a trusted proxy forwarded. */
  ip(req: IncomingMessage): string;
  /** The protocol the browser used: the connection's, or a trusted proxy's X-Forwarded-Proto. */
  protocol(req: IncomingMessage): 'http' | 'https';
  /** The host the browser addressed: a trusted proxy's X-Forwarded-Host, or Host. */
  host(req: IncomingMessage): string | undefined;
  /** Whether the peer is a trusted proxy (its X-Forwarded-* headers count). */
  fromTrustedProxy(req: IncomingMessage): boolean;
}

export function proxyRule(trust: TrustProxy): ProxyRule {
  const fn =
    trust.kind === 'off'
      ? null
      : trust.kind === 'hops'
        ? (_address: string, hop: number) => hop < trust.hops
        : proxyAddr.compile(trust.addresses);
  // Forwarded protocol and host are believed only from a trusted peer (hop 0: the proxy itself).
  const fromTrustedProxy = (req: IncomingMessage) => fn !== null && fn(req.socket?.remoteAddress ?? '', 0);
  return {
    fastify: fn ?? false,
    ip: (req) => (fn ? proxyAddr(req, fn) : (req.socket?.remoteAddress ?? '')),
    protocol(req) {
      const forwarded = fromTrustedProxy(req) ? lastEntry(req.headers['x-forwarded-proto']) : undefined;
      if (forwarded) return forwarded.toLowerCase() === 'https' ? 'https' : 'http';
      return (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
    },
    host(req) {
      const forwarded = fromTrustedProxy(req) ? lastEntry(req.headers['x-forwarded-host']) : undefined;
      return forwarded || (typeof req.headers.host === 'string' ? req.headers.host : undefined);
    },
    fromTrustedProxy,
  };
}

/** Proxies append to these headers: the last entry is the one the nearest (trusted) proxy wrote. As Fastify reads them. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.at(-1) : header;
  return value?.split(',').at(-1)?.trim() || undefined;
}
