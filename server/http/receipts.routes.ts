// Receipts: JSON for apps, and a printable HTML page (no script) the widget opens in a new tab.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PaymentStatus, ReceiptDto } from '../../protocol/payments.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { bearerToken } from './auth.ts';
import { escapeHtml } from './html.ts';

const PageQuery = z.object({ token: z.string().max(4096).optional() });

export function receiptRoutes(app: FastifyInstance, { receipts }: Services) {
  app.get<{ Params: { id: string } }>('/api/v1/receipts/:id', async (request, reply) => {
    const receipt = await receipts.view(request.params.id, bearerToken(request));
    return reply.header('cache-control', 'private, no-store').send(receipt);
  });

  // The page may carry the credential in ?token= (a link opened from the widget), so it is kept out of
  // the request log (only warnings and errors are logged for this route) and out of Referer headers.
  app.get<{ Params: { id: string } }>('/receipts/:id', { logLevel: 'warn' }, async (request, reply) => {
    void reply
      .header('cache-control', 'private, no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .type('text/html; charset=utf-8');
    try {
      const receipt = await receipts.view(request.params.id, credentialOf(request));
      return reply.send(receiptPage(receipt));
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return reply.status(404).send(notFoundPage());
      throw err;
    }
  });
}

function credentialOf(request: FastifyRequest): string | undefined {
  const query = PageQuery.safeParse(request.query);
  return bearerToken(request) ?? (query.success ? query.data.token : undefined);
}

/** UTC, independent of the server's locale: "2026-11-24 13:05 UTC". */
const formatTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const STATUS_LABEL: Record<PaymentStatus, string> = { pending: 'Pending', succeeded: 'Paid', failed: 'Failed', refunded: 'Refunded' };

export function receiptPage(r: ReceiptDto): string {
  const p = r.payment;
  const rows: [string, string][] = [
    ['Receipt number', `#${String(r.number).padStart(6, '0')}`],
    ['Issued', formatTime(r.issuedAt)],
    [p.status === 'refunded' ? 'Refunded' : 'Paid', formatTime(p.occurredAt)],
    ['From', p.payer],
    ['To', p.payee],
    ['Reference', p.reference],
  ];
  if (p.txHash) rows.push(['Transaction', p.txHash]);
  if (p.memo) rows.push(['Memo', p.memo]);
  rows.push(['Receipt id', r.id]);
  const title = `Receipt #${String(r.number).padStart(6, '0')} — ${r.merchant.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main class="receipt">
  <header>
    <p class="merchant">${escapeHtml(r.merchant.name)}</p>
    <h1>Receipt</h1>
    <p class="status status-${p.status}">${STATUS_LABEL[p.status]}</p>
  </header>
  <p class="amount"><span class="value">${escapeHtml(p.amount)}</span> <span class="token">${escapeHtml(p.token)}</span></p>
  <dl>
${rows.map(([k, v]) => `    <div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('\n')}
  </dl>
  <p class="hint">Keep this page for your records. To print or save it as a PDF, use your browser’s Print command.</p>
</main>
</body>
</html>
`;
}

function notFoundPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>Receipt not found</title><style>${PAGE_CSS}</style></head>
<body><main class="receipt"><h1>Receipt not found</h1>
<p>This receipt does not exist, or this link is not valid for you (it may have expired). Open the receipt again from the chat.</p></main></body></html>
`;
}

const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;padding:2rem 1rem;background:#f4f4f5;color:#18181b;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.receipt{max-width:32rem;margin:0 auto;background:#fff;border:1px solid #e4e4e7;border-radius:12px;padding:2rem}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;border-bottom:1px solid #e4e4e7;padding-bottom:1rem}
.merchant{flex-basis:100%;margin:0;color:#52525b;font-weight:600}
h1{margin:0;font-size:1.5rem}
.status{margin:0 0 0 auto;padding:.1rem .6rem;border-radius:999px;font-size:.85rem;font-weight:600;background:#e4e4e7}
.status-succeeded{background:#dcfce7;color:#166534}.status-failed{background:#fee2e2;color:#991b1b}.status-refunded{background:#fef9c3;color:#854d0e}
.amount{margin:1.5rem 0;font-size:2rem;font-weight:700;overflow-wrap:anywhere}
.token{color:#52525b;font-weight:600}
dl{margin:0}
dl div{display:flex;justify-content:space-between;gap:1rem;padding:.5rem 0;border-top:1px solid #f4f4f5}
dt{color:#52525b;flex-shrink:0}
dd{margin:0;text-align:right;overflow-wrap:anywhere;font-variant-numeric:tabular-nums}
.hint{margin:1.5rem 0 0;color:#71717a;font-size:.85rem}
@media print{
  body{background:#fff;padding:0;font-size:12pt}
  .receipt{border:0;border-radius:0;max-width:none;padding:0}
  .hint{display:none}
  .status{border:1px solid #000;background:none;color:#000}
}
`;
