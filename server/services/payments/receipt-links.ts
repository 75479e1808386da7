// Receipt links: what lets a payer or payee open their receipt page from the chat without their identity token
// in a URL (URLs end up in browser history, proxies' logs and shared screenshots). A link is `?k=<exp>.<mac>`:
// HMAC-SHA256 over (receipt id, the party's user id, expiry) with the workspace's server-only visitor key — not
// the merchant secret, so rotating the secret does not break links. It opens that receipt, for that party, until
// it expires; the party's id is not in the link (the verifier tries the payer and the payee).
//
// Links are short-lived and minted again whenever a party's view is read (notifications, chat history), so the
// ones the widget shows keep working while a stored or copied one stops after RECEIPT_LINK_TTL_SECONDS.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RECEIPT_LINK_PARAM, type PaymentEventDto } from '../../../protocol/payments.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { boundedCache, type BoundedCache } from '../cache.ts';
import type { InvalidationBus } from '../invalidation.ts';
import { receiptPageUrl } from './dto.ts';

export const RECEIPT_LINK_TTL_SECONDS = 24 * 60 * 60;

/** Expiry in base 36 (unix seconds), then the MAC in base64url (43 characters). */
const LINK = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{43})$/;
/** Keeps these MACs apart from anything else the visitor key signs (visitor JWTs sign "header.payload"). */
const DOMAIN = 'verychat/receipt-link/v1';
const KEY_CACHE = { max: 10_000, ttlMs: 10 * 60_000 };
/**
 * A workspace's link maker is reused this long: its links (one expiry for all, in whole seconds) are made
 * once for the toast, notification and chat card of an event instead of once each (an HMAC and a URL parse).
 */
const MAKER_TTL_MS = 1_000;
const LINKS_PER_MAKER = 4_096;

function mac(key: string, receiptId: string, userId: string, exp: number): Buffer {
  // User ids have no control characters (protocol's UserId), so newlines keep the fields apart.
  return createHmac('sha256', key).update(`${DOMAIN}\n${receiptId.toLowerCase()}\n${userId}\n${exp}`).digest();
}

/** `<exp>.<mac>` for one party of one receipt, valid until `exp` (unix seconds). */
export function signReceiptLink(key: string, receiptId: string, userId: string, exp: number): string {
  return `${exp.toString(36)}.${mac(key, receiptId, userId, exp).toString('base64url')}`;
}

/**
 * Which of `parties` the link was made for, if it is genuine, for this receipt, and not expired; otherwise null
 * (tampered, another receipt's, someone else's and expired links are alike to the caller: "not yours").
 */
export function verifyReceiptLink(key: string, receiptId: string, parties: readonly string[], link: string, nowSec: number): string | null {
  const m = LINK.exec(link);
  if (!m) return null;
  const exp = parseInt(m[1]!, 36);
  // Text compared, not decoded bytes: base64url's last character and base 36's leading zeros have spellings
  // that decode alike, and a link that was changed at all must not open anything.
  if (exp.toString(36) !== m[1]) return null;
  const given = Buffer.from(m[2]!);
  // Every party is checked, so the time taken does not say which one matched.
  let viewer: string | null = null;
  for (const party of parties) {
    const expected = Buffer.from(mac(key, receiptId, party, exp).toString('base64url'));
    if (timingSafeEqual(given, expected) && viewer === null) viewer = party;
  }
  return viewer !== null && exp > nowSec ? viewer : null;
}

/** Mints links for one workspace (its key loaded once): `(receiptId, userId) → page URL with ?k=`. */
export type LinkMaker = (receiptId: string, userId: string) => string;

export class ReceiptLinks {
  private readonly keys = boundedCache<{ key: string }>(KEY_CACHE);
  private readonly makers: BoundedCache<{ make: LinkMaker }>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly deps: { now: () => number; baseUrl: () => string; invalidation?: InvalidationBus },
  ) {
    // On the service's clock, so a maker never outlives the second its expiry was taken in.
    this.makers = boundedCache({ max: KEY_CACHE.max, ttlMs: MAKER_TTL_MS, now: deps.now });
    // The visitor key never changes; a deleted workspace's is forgotten (its receipts are gone with it anyway).
    deps.invalidation?.subscribe((event) => {
      if (event.type === 'workspace' && event.deleted) {
        this.keys.delete(event.workspaceId);
        this.makers.delete(event.workspaceId);
      }
      if (event.type === 'all') {
        this.keys.clear();
        this.makers.clear();
      }
    });
  }

  /** The workspace's link key, or null when the workspace is gone. */
  async keyOf(workspaceId: string): Promise<string | null> {
    const hit = this.keys.get(workspaceId);
    if (hit) return hit.key;
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { visitorKey: true } });
    if (!ws) return null;
    this.keys.set(workspaceId, { key: ws.visitorKey });
    return ws.visitorKey;
  }

  /** A link maker with the workspace's key given (the caller holds the row). */
  maker(key: string): LinkMaker {
    const exp = Math.floor(this.deps.now() / 1000) + RECEIPT_LINK_TTL_SECONDS;
    const base = this.deps.baseUrl();
    return (receiptId, userId) => {
      const url = new URL(receiptPageUrl(base, receiptId));
      url.searchParams.set(RECEIPT_LINK_PARAM, signReceiptLink(key, receiptId, userId, exp));
      return url.href;
    };
  }

  async makerFor(workspaceId: string): Promise<LinkMaker | null> {
    const hit = this.makers.get(workspaceId);
    if (hit) return hit.make;
    const key = await this.keyOf(workspaceId);
    if (key === null) return null;
    const made = new Map<string, string>();
    const mint = this.maker(key);
    // Same receipt and party within the maker's life: the same link (same key, expiry and base URL).
    const make: LinkMaker = (receiptId, userId) => {
      const k = `${receiptId}\n${userId}`;
      let url = made.get(k);
      if (url === undefined) {
        if (made.size >= LINKS_PER_MAKER) made.clear();
        made.set(k, (url = mint(receiptId, userId)));
      }
      return url;
    };
    this.makers.set(workspaceId, { make });
    return make;
  }

  verify(key: string, receiptId: string, parties: readonly string[], link: string): string | null {
    return verifyReceiptLink(key, receiptId, parties, link, Math.floor(this.deps.now() / 1000));
  }

  /** `userId`'s views (stored notifications, card payloads) with fresh receipt links. */
  async refresh<T extends Pick<PaymentEventDto, 'receiptId' | 'receiptUrl'>>(workspaceId: string, userId: string, views: T[]): Promise<T[]> {
    if (!views.some(hasReceipt)) return views;
    const make = await this.makerFor(workspaceId);
    if (!make) return views;
    return views.map((v) => (hasReceipt(v) ? { ...v, receiptUrl: make(v.receiptId, userId) } : v));
  }

  /**
   * A chat message's payload as the conversation's customer reads it now: payment and receipt cards get a
   * fresh link for them. Anything else, and conversations of anonymous visitors, are left as stored.
   */
  async presentCard(
    payload: Record<string, unknown>,
    kind: string,
    contact: { workspaceId: string; externalId: string | null },
  ): Promise<Record<string, unknown>> {
    if ((kind !== 'payment' && kind !== 'receipt') || contact.externalId === null || typeof payload.receiptId !== 'string') return payload;
    const [view] = await this.refresh(contact.workspaceId, contact.externalId, [payload as { receiptId: string; receiptUrl: string | null }]);
    return view as Record<string, unknown>;
  }
}

const hasReceipt = (v: { receiptId: string | null }): v is { receiptId: string } => typeof v.receiptId === 'string' && v.receiptId.length > 0;
