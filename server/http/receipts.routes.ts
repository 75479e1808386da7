// Receipts: JSON for apps, and a printable HTML page the widget opens in a new tab. Customers come with their
// receipt link (`?k=`, see services/payments/receipt-links.ts), never an identity token in the URL; agents and
// apps with `Authorization: Bearer` (an agent session, or a customer's identity token), and agents of the console
// with its session cookie (a GET: SameSite=Strict keeps other sites from using it, and the page only reads).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ReceiptPageQuery } from '../../protocol/payments.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { bearerToken, cookieToken } from './auth.ts';
import { RECEIPT_PRINT_JS, receiptLocale, receiptPage, receiptUnavailablePage } from './receipt-page.ts';

/** The page's query, or nothing usable (a malformed one is no credential, and no language). */
function pageQuery(request: FastifyRequest): { k?: string | undefined; lang?: string | undefined } {
  const parsed = ReceiptPageQuery.safeParse(request.query);
  return parsed.success ? parsed.data : {};
}

/** Private to its reader: kept out of shared caches, and the link never leaves in a Referer. */
const privateHeaders = (reply: FastifyReply) =>
  reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex');

export function receiptRoutes(app: FastifyInstance, { receipts }: Services) {
  // The JSON route's query may carry a receipt link too: logged at warn only, like the page.
  app.get<{ Params: { id: string } }>('/api/v1/receipts/:id', { logLevel: 'warn' }, async (request, reply) => {
    const receipt = await receipts.view(request.params.id, { bearer: agentCredential(request), link: pageQuery(request).k });
    return privateHeaders(reply).send(receipt);
  });

  // Before the page's route (a static path wins over `:id`); relative to the page, so a path prefix in PUBLIC_URL works.
  app.get('/receipts/print.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(RECEIPT_PRINT_JS),
  );

  // The URL carries the receipt link, so this route logs at warn only (no request lines with the URL) and its
  // answers say no-referrer. Every refusal is the same 404 page, in the reader's language.
  app.get<{ Params: { id: string } }>('/receipts/:id', { logLevel: 'warn' }, async (request, reply) => {
    const query = pageQuery(request);
    const acceptLanguage = request.headers['accept-language'];
    void privateHeaders(reply).header('vary', 'accept-language').type('text/html; charset=utf-8');
    try {
      const receipt = await receipts.view(request.params.id, { bearer: agentCredential(request), link: query.k });
      return reply.send(receiptPage(receipt, receiptLocale(query.lang, acceptLanguage)));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return reply.status(404).send(receiptUnavailablePage(receiptLocale(query.lang, acceptLanguage)));
      throw err;
    }
  });
}

/** A bearer token, or the console's session cookie (an agent opening a receipt from the sidebar). */
function agentCredential(request: FastifyRequest): string | undefined {
  return bearerToken(request) ?? cookieToken(request.cookies);
}
