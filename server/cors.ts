// The one CORS decision, shared by the REST API and the Socket.io handshake (its long-polling transport
// needs CORS): no Origin, this server's own, or one some workspace allows. It only lets the browser make
// the request: each route and each handshake then checks the origin against its own workspace, so one
// merchant's origin cannot act on another's data.
import type { IncomingMessage } from 'node:http';
import type { ProxyRule } from './proxy.ts';
import type { WorkspaceService } from './services/workspaces.service.ts';

export type CorsOriginCheck = (origin: string | undefined, cb: (err: Error | null, allow: boolean) => void) => void;

export function corsOriginCheck(workspaces: Pick<WorkspaceService, 'isOriginKnown'>, publicOrigin: string): CorsOriginCheck {
  return (origin, cb) => {
    if (!origin || origin === publicOrigin) return cb(null, true);
    workspaces.isOriginKnown(origin).then(
      (known) => cb(null, known),
      (err: Error) => cb(err, false),
    );
  };
}

/**
 * The page's origin as the browser reports it. A same-origin GET carries no Origin header (the widget's
 * settings request, socket.io's long-polling handshake, from a page this server serves such as the demo
 * storefront). Over HTTPS and on localhost browsers mark it `Sec-Fetch-Site: same-origin`; on any other
 * plain-HTTP address (a LAN IP) they send no Sec-Fetch-* at all, only the Referer (this server's pages use
 * `Referrer-Policy: same-origin`). Either stands in for the Origin only when it says "this server, as the
 * browser addressed it" — behind a TLS-terminating proxy, with the protocol and host the trusted proxy reports.
 * A cross-origin request always carries an Origin (CORS), and no page can make a browser claim ours.
 */
export function browserOrigin(req: IncomingMessage, proxy: ProxyRule): string | undefined {
  const { headers } = req;
  if (typeof headers.origin === 'string') return headers.origin;
  const host = proxy.host(req);
  if (!host) return undefined;
  const own = `${proxy.protocol(req)}://${host}`;
  if (headers['sec-fetch-site'] === 'same-origin') return own;
  if (headers['sec-fetch-site'] === undefined && typeof headers.referer === 'string' && originOf(headers.referer) === originOf(own)) return own;
  return undefined;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
