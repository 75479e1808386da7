// The printable receipt page, in the customer's language (English, Spanish, Arabic right to left), with the
// merchant's name and brand colour, amounts formatted exactly as the widget formats them (protocol/amounts.ts),
// and people's names instead of ids. A failed payment's receipt says when and why it failed and that no money
// moved; it never reads as paid. No inline script: the page's CSP allows scripts from this server only, so
// the print button is wired by RECEIPT_PRINT_JS (served beside the page); without it, the page says how to print.
import { formatAmount } from '../../protocol/amounts.ts';
import type { PaymentStatus, ReceiptDto } from '../../protocol/payments.ts';
import { escapeHtml } from './html.ts';
import { brandColor, brandVars, DEFAULT_BRAND, fill, initial, negotiateLanguage } from './page-kit.ts';

export const RECEIPT_LOCALES = ['en', 'es', 'ar'] as const;
export type ReceiptLocale = (typeof RECEIPT_LOCALES)[number];
const RTL = new Set<ReceiptLocale>(['ar']);

interface Texts {
  receiptNumber: string;
  status: Record<PaymentStatus, string>;
  amount: string;
  from: string;
  to: string;
  paidOn: string;
  failedOn: string;
  refundedOn: string;
  /** A failed payment: the merchant's reason, its code, and that no money moved (said to whoever reads it). */
  reason: string;
  failureCode: string;
  noMoney: Record<ReceiptDto['reader'], string>;
  issued: string;
  reference: string;
  transaction: string;
  memo: string;
  receiptId: string;
  print: string;
  keep: string;
  issuedBy: string;
  unavailable: string;
  unavailableText: string;
}

const TEXTS: Record<ReceiptLocale, Texts> = {
  en: {
    receiptNumber: 'Receipt no. {n}',
    status: { pending: 'Pending', succeeded: 'Paid', failed: 'Failed', refunded: 'Refunded' },
    amount: 'Amount',
    from: 'From',
    to: 'To',
    paidOn: 'Paid on',
    failedOn: 'Failed on',
    refundedOn: 'Refunded on',
    reason: 'Reason',
    failureCode: 'Error code',
    noMoney: {
      payer: 'No {token} left your wallet for this payment.',
      payee: 'No {token} was sent to you for this payment.',
      agent: 'No {token} left the payer’s wallet for this payment.',
    },
    issued: 'Issued',
    reference: 'Reference',
    transaction: 'Transaction',
    memo: 'Note',
    receiptId: 'Receipt ID',
    print: 'Print or save as PDF',
    keep: 'Keep this receipt for your records. To save it as a PDF, use your browser’s Print command.',
    issuedBy: 'Issued by {merchant}',
    unavailable: 'This receipt link has expired or is not valid',
    unavailableText: 'Receipt links from the chat work for a day, and only for the people in the payment. Open the receipt again from the chat.',
  },
  es: {
    receiptNumber: 'Recibo n.º {n}',
    status: { pending: 'Pendiente', succeeded: 'Pagado', failed: 'Fallido', refunded: 'Reembolsado' },
    amount: 'Importe',
    from: 'De',
    to: 'Para',
    paidOn: 'Pagado el',
    failedOn: 'Falló el',
    refundedOn: 'Reembolsado el',
    reason: 'Motivo',
    failureCode: 'Código de error',
    noMoney: {
      payer: 'No salió ningún {token} de tu billetera por este pago.',
      payee: 'No se te envió ningún {token} por este pago.',
      agent: 'No salió ningún {token} de la billetera del pagador por este pago.',
    },
    issued: 'Emitido',
    reference: 'Referencia',
    transaction: 'Transacción',
    memo: 'Nota',
    receiptId: 'ID del recibo',
    print: 'Imprimir o guardar como PDF',
    keep: 'Guarda este recibo para tus registros. Para guardarlo como PDF, usa la opción Imprimir de tu navegador.',
    issuedBy: 'Emitido por {merchant}',
    unavailable: 'Este enlace del recibo ha caducado o no es válido',
    unavailableText: 'Los enlaces de recibos del chat funcionan durante un día y solo para las personas del pago. Vuelve a abrir el recibo desde el chat.',
  },
  ar: {
    receiptNumber: 'إيصال رقم {n}',
    status: { pending: 'قيد المعالجة', succeeded: 'مدفوع', failed: 'فشل', refunded: 'مسترد' },
    amount: 'المبلغ',
    from: 'من',
    to: 'إلى',
    paidOn: 'تاريخ الدفع',
    failedOn: 'تاريخ الفشل',
    refundedOn: 'تاريخ الاسترداد',
    reason: 'السبب',
    failureCode: 'رمز الخطأ',
    noMoney: {
      payer: 'لم يُخصم أي مبلغ بعملة {token} من محفظتك مقابل هذه الدفعة.',
      payee: 'لم يُرسَل إليك أي مبلغ بعملة {token} مقابل هذه الدفعة.',
      agent: 'لم يُخصم أي مبلغ بعملة {token} من محفظة الدافع مقابل هذه الدفعة.',
    },
    issued: 'تاريخ الإصدار',
    reference: 'المرجع',
    transaction: 'المعاملة',
    memo: 'ملاحظة',
    receiptId: 'معرّف الإيصال',
    print: 'طباعة أو حفظ كملف PDF',
    keep: 'احتفظ بهذا الإيصال في سجلاتك. لحفظه كملف PDF، استخدم أمر الطباعة في متصفحك.',
    issuedBy: 'صادر عن {merchant}',
    unavailable: 'انتهت صلاحية رابط هذا الإيصال أو أنه غير صالح',
    unavailableText: 'تعمل روابط الإيصالات من المحادثة لمدة يوم واحد، وللأشخاص المعنيين بالدفعة فقط. افتح الإيصال مرة أخرى من المحادثة.',
  },
};

/**
 * The page's language: the `lang` the widget passes (its own locale), else the browser's Accept-Language by
 * preference (q-values), else English.
 */
export function receiptLocale(lang: string | undefined, acceptLanguage: string | undefined): ReceiptLocale {
  return negotiateLanguage(RECEIPT_LOCALES, lang, acceptLanguage) ?? 'en';
}

/** In UTC (the server does not know the reader's time zone), said so, in the reader's language. */
function formatTime(iso: string, locale: ReceiptLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso)) + ' UTC';
}

const receiptNo = (n: number) => String(n).padStart(6, '0');
/** Text that may run in either direction (names, memos), isolated so it cannot reorder what surrounds it. */
const bdi = (s: string) => `<bdi>${escapeHtml(s)}</bdi>`;
/** Ids and hashes: left to right, whatever the page's direction. */
const code = (s: string) => `<span class="code" dir="ltr">${escapeHtml(s)}</span>`;

export function receiptPage(r: ReceiptDto, locale: ReceiptLocale): string {
  const t = TEXTS[locale];
  const p = r.payment;
  const brand = brandColor(r.merchant.color);
  const number = fill(t.receiptNumber, { n: receiptNo(r.number) });
  const money = `${formatAmount(p.amount, locale)} ${p.token}`;
  const failed = p.status === 'failed';
  const details: [string, string][] = [[t.reference, code(p.reference)]];
  if (failed && p.failure) details.push([t.failureCode, code(p.failure.code)]);
  if (p.txHash) details.push([t.transaction, code(p.txHash)]);
  if (p.memo) details.push([t.memo, bdi(p.memo)]);
  // A refund's receipt is its payment's: when it was paid stays on it.
  if (p.status === 'refunded' && r.timeline.succeededAt) details.push([t.paidOn, escapeHtml(formatTime(r.timeline.succeededAt, locale))]);
  details.push([t.issued, escapeHtml(formatTime(r.issuedAt, locale))], [t.receiptId, code(r.id)]);
  const when = outcome(r, t, locale);
  // Why it failed (the merchant's words, as text) and that nothing was taken: the page must not read as paid.
  const failure = failed
    ? `
    <div class="outcome" role="note">
      ${p.failure?.message ? `<p class="outcome-label">${escapeHtml(t.reason)}</p>
      <p class="reason" dir="auto">${escapeHtml(p.failure.message)}</p>
      ` : ''}<p class="no-money">${escapeHtml(fill(t.noMoney[r.reader], { token: p.token }))}</p>
    </div>`
    : '';
  const party = (label: string, name: string | null, id: string) => `
      <div class="party">
        <h2>${escapeHtml(label)}</h2>
        <p>${bdi(name ?? id)}</p>
      </div>`;
  const body = `
<main class="sheet">
  <header class="brand">
    <span class="mark" aria-hidden="true">${escapeHtml(initial(r.merchant.name))}</span>
    <span class="merchant">${bdi(r.merchant.name)}</span>
    <button type="button" class="print" data-print hidden>${escapeHtml(t.print)}</button>
  </header>
  <section class="summary summary-${p.status}" aria-labelledby="title">
    <div class="heading">
      <h1 id="title">${escapeHtml(number)}</h1>
      <p class="status status-${p.status}">${escapeHtml(t.status[p.status])}</p>
    </div>
    <p class="amount-label">${escapeHtml(t.amount)}</p>
    <p class="amount"><bdi>${escapeHtml(money)}</bdi></p>
    <p class="when">${escapeHtml(when)}</p>${failure}
  </section>
  <section class="parties">${party(t.from, p.payerName, p.payer)}${party(t.to, p.payeeName, p.payee)}
  </section>
  <dl class="details">
${details.map(([k, v]) => `    <div><dt>${escapeHtml(k)}</dt><dd>${v}</dd></div>`).join('\n')}
  </dl>
  <footer>
    <p>${fill(escapeHtml(t.issuedBy), { merchant: bdi(r.merchant.name) })}</p>
    <p class="keep">${escapeHtml(t.keep)}</p>
  </footer>
</main>
<script src="print.js" defer></script>`;
  return page(locale, `${number} — ${r.merchant.name}`, brand, body);
}

/** "Paid on …", "Failed on …", "Refunded on …": the time of the outcome the receipt records. */
function outcome(r: ReceiptDto, t: Texts, locale: ReceiptLocale): string {
  const { status, occurredAt } = r.payment;
  // occurredAt (the event that set the status) stands in for a time not kept, e.g. a payment stored before them.
  const [label, at] =
    status === 'failed'
      ? [t.failedOn, r.timeline.failedAt]
      : status === 'refunded'
        ? [t.refundedOn, r.timeline.refundedAt]
        : [t.paidOn, r.timeline.succeededAt];
  return `${label} ${formatTime(at ?? occurredAt, locale)}`;
}

/** One page for every refusal (wrong receipt, someone else's link, tampered or expired): it tells nothing apart. */
export function receiptUnavailablePage(locale: ReceiptLocale): string {
  const t = TEXTS[locale];
  const body = `
<main class="sheet sheet-message">
  <h1>${escapeHtml(t.unavailable)}</h1>
  <p>${escapeHtml(t.unavailableText)}</p>
</main>`;
  return page(locale, t.unavailable, DEFAULT_BRAND, body);
}

function page(locale: ReceiptLocale, title: string, brand: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}" dir="${RTL.has(locale) ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>:root{${brandVars(brand)}}${PAGE_CSS}</style>
</head>
<body>${body}
</body>
</html>
`;
}

/** Wires the print button (shown only once this runs). Served as /receipts/print.js. */
export const RECEIPT_PRINT_JS = `// The receipt page's print button: the page's CSP allows scripts from this server only, never inline ones.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
`;

const PAGE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:2.5rem 1rem;background:#f1f2f6;color:#18181b;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",Tahoma,sans-serif}
.sheet{max-width:34rem;margin:0 auto;background:#fff;border-radius:16px;overflow:hidden;box-shadow:0 1px 2px rgba(16,24,40,.06),0 12px 32px -8px rgba(16,24,40,.14)}
.brand{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;padding:1.1rem 1.5rem;background:var(--brand);color:var(--on-brand)}
.mark{flex:none;display:grid;place-items:center;width:2.25rem;height:2.25rem;border-radius:10px;background:color-mix(in srgb,var(--on-brand) 16%,transparent);font-weight:700;font-size:1.05rem}
.merchant{flex:1 1 9rem;min-width:0;font-weight:650;font-size:1.05rem;overflow-wrap:break-word}
.print{flex:none;font:inherit;font-size:.85rem;font-weight:600;padding:.45rem .9rem;border-radius:999px;cursor:pointer;color:var(--on-brand);background:color-mix(in srgb,var(--on-brand) 14%,transparent);border:1px solid color-mix(in srgb,var(--on-brand) 40%,transparent)}
.print:hover{background:color-mix(in srgb,var(--on-brand) 24%,transparent)}
.print:focus-visible{outline:2px solid var(--on-brand);outline-offset:2px}
.print[hidden]{display:none}
.summary{padding:1.75rem 1.5rem 1.5rem;border-bottom:1px dashed #d4d4d8}
.heading{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem}
h1{margin:0;font-size:1rem;font-weight:650;color:#18181b;font-variant-numeric:tabular-nums}
.status{margin:0;padding:.15rem .7rem;border-radius:999px;font-size:.8rem;font-weight:650;background:#f4f4f5;color:#3f3f46}
.status-succeeded{background:#dcfce7;color:#14532d}.status-failed{background:#fee2e2;color:#7f1d1d}.status-refunded{background:#fef3c7;color:#78350f}
.amount-label{margin:1.5rem 0 .15rem;font-size:.8rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#71717a}
[dir=rtl] .amount-label,[dir=rtl] .party h2{letter-spacing:0;font-size:.85rem}
.amount{margin:0;font-size:2.25rem;line-height:1.2;font-weight:750;letter-spacing:-.01em;overflow-wrap:anywhere;font-variant-numeric:tabular-nums}
.when{margin:.4rem 0 0;color:#52525b;font-size:.9rem}
.summary-failed .amount{color:#52525b}
.outcome{margin:1.1rem 0 0;padding:.8rem 1rem;border-radius:10px;background:#fef2f2;border:1px solid #fecaca;border-inline-start:4px solid #dc2626}
.outcome p{margin:0}
.outcome-label{font-size:.75rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#991b1b}
[dir=rtl] .outcome-label{letter-spacing:0;font-size:.8rem}
.outcome .reason{margin-top:.1rem;font-weight:600;color:#7f1d1d;overflow-wrap:anywhere}
/* The merchant's words run in their own direction (dir=auto), aligned with the page. */
[dir=rtl] .outcome .reason{text-align:right}
.no-money{color:#3f3f46;font-size:.9rem}
.outcome .no-money:not(:first-child){margin-top:.45rem}
.parties{display:grid;grid-template-columns:1fr 1fr;gap:1rem;padding:1.25rem 1.5rem;border-bottom:1px solid #f0f0f2}
.party h2{margin:0 0 .15rem;font-size:.8rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#71717a}
.party p{margin:0;font-weight:600;overflow-wrap:anywhere}
.details{margin:0;padding:.5rem 1.5rem}
.details div{display:flex;justify-content:space-between;gap:1.5rem;padding:.6rem 0;border-top:1px solid #f0f0f2}
.details div:first-child{border-top:0}
dt{color:#71717a;flex:none}
dd{margin:0;text-align:end;overflow-wrap:anywhere;min-width:0}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
footer{padding:1rem 1.5rem 1.4rem;background:#fafafa;border-top:1px solid #f0f0f2;color:#71717a;font-size:.85rem}
footer p{margin:0}
footer .keep{margin-top:.35rem;font-size:.8rem}
.sheet-message{padding:2rem 1.75rem;background:linear-gradient(var(--brand),var(--brand)) top/100% 4px no-repeat #fff}
.sheet-message h1{font-size:1.25rem;color:#18181b;margin-bottom:.5rem}
.sheet-message p{margin:0;color:#52525b}
@media (max-width:30rem){
  body{padding:0}
  .sheet{border-radius:0;box-shadow:none}
  .parties{grid-template-columns:1fr}
  .details div{flex-direction:column;gap:.1rem}
  dd{text-align:start}
}
@media print{
  @page{margin:16mm}
  body{background:#fff;padding:0;font-size:11pt}
  .sheet{max-width:none;box-shadow:none;border-radius:0;border:1px solid #d4d4d8}
  .brand{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .status,.outcome{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .print,.keep{display:none}
  footer{background:none}
}
`;
