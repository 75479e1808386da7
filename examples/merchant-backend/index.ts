// A merchant's backend talking to VeryChat with the server SDK (`verychat/server`):
//   • signs identity tokens for its logged-in customers (the storefront passes them to VeryChat.identify),
//   • reports payments as signed events (one success, one failure between user123 and user456),
//   • optionally answers a customer as a support agent through the REST API.
//
//   npm run example:merchant -- [flow|tokens|reply] [--url URL] [--site-key pk_…] [--secret sk_…]
//                                 [--agent-email E --agent-password P] [--text "reply text"]
// Environment instead of flags: VERYCHAT_URL, VERYCHAT_SITE_KEY, VERYCHAT_SECRET,
// VERYCHAT_AGENT_EMAIL, VERYCHAT_AGENT_PASSWORD.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sendPaymentEvent, signIdentityToken, VeryChatApiError, type PaymentEvent } from 'verychat/server';

const DEMO_USERS = [
  { sub: 'user123', name: 'Alice Buyer', email: 'alice@example.com' },
  { sub: 'user456', name: 'Bob Seller', email: 'bob@example.com' },
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    'site-key': { type: 'string' },
    secret: { type: 'string' },
    'agent-email': { type: 'string' },
    'agent-password': { type: 'string' },
    text: { type: 'string' },
  },
});

const config = {
  apiUrl: (values.url ?? process.env.VERYCHAT_URL ?? 'http://localhost:3001').replace(/\/+$/, ''),
  siteKey: values['site-key'] ?? process.env.VERYCHAT_SITE_KEY ?? '',
  secret: values.secret ?? process.env.VERYCHAT_SECRET ?? '',
  agentEmail: values['agent-email'] ?? process.env.VERYCHAT_AGENT_EMAIL,
  agentPassword: values['agent-password'] ?? process.env.VERYCHAT_AGENT_PASSWORD,
};

async function main(): Promise<void> {
  const command = positionals[0] ?? 'flow';
  if (!['flow', 'tokens', 'reply'].includes(command)) throw new Error(`Unknown command "${command}" (flow, tokens or reply).`);
  if (!config.siteKey || !config.secret) {
    throw new Error(
      'Site key and secret are required: --site-key pk_… --secret sk_… (or VERYCHAT_SITE_KEY / VERYCHAT_SECRET).\n' +
        'For the demo workspace: npm run verychat -- workspace:list, then npm run verychat -- workspace:show <siteKey>.',
    );
  }
  if (command === 'tokens' || command === 'flow') await printTokens();
  if (command === 'flow') await paymentFlow();
  if (command === 'reply' || (command === 'flow' && config.agentEmail)) await replyAsAgent('user456', values.text ?? 'Thanks, we received your payment. Anything else we can help with?');
}

/** What your login handler would do: a short-lived token the storefront hands to the widget. */
async function printTokens(): Promise<void> {
  console.log('Identity tokens (valid 1 hour) — in the storefront: VeryChat.identify({ token })');
  for (const user of DEMO_USERS) {
    const token = await signIdentityToken({ secret: config.secret, ...user, expiresIn: '1h' });
    console.log(`  ${user.sub.padEnd(8)} ${token}`);
  }
}

/** One payment that succeeds, one that fails, and a retry to show that redelivery is safe. */
async function paymentFlow(): Promise<void> {
  const run = Date.now().toString(36);
  const success: PaymentEvent = {
    id: `evt_${run}_1`,
    type: 'payment.succeeded',
    reference: `order_${run}_1`,
    amount: '100',
    token: 'VRC',
    payer: 'user123',
    payee: 'user456',
    txHash: `0x${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`,
    memo: 'Order #1001',
    occurredAt: new Date(),
  };
  const failure: PaymentEvent = {
    id: `evt_${run}_2`,
    type: 'payment.failed',
    reference: `order_${run}_2`,
    amount: '25.5',
    token: 'VRC',
    payer: 'user456',
    payee: 'user123',
    failure: { code: 'insufficient_funds', message: 'Insufficient funds' },
    occurredAt: new Date(),
  };

  console.log(`Payments → ${config.apiUrl}/api/v1/payments/events`);
  for (const event of [success, failure]) {
    const { status, body } = await send(event);
    const p = body.payment;
    // The receipt page opens for the workspace's agents (signed in to the console); customers get their own links.
    const receipt = p.receipt ? `receipt #${p.receipt.number} (agents, signed in: ${p.receipt.url})` : 'no receipt';
    const detail = p.status === 'failed' ? `failure ${p.failure?.code}, ${receipt}` : receipt;
    console.log(`  ${event.type.padEnd(17)} ${p.amount} ${p.token} ${p.payer} → ${p.payee}: HTTP ${status}, ${p.status}, ${detail}`);
  }
  // A network hiccup made us unsure: send it again. Same event id → same answer, nothing stored twice.
  const retry = await send(success);
  console.log(`  retry ${success.id}: HTTP ${retry.status}, replayed=${retry.replayed}`);
}

async function send(event: PaymentEvent) {
  try {
    return await sendPaymentEvent({ apiUrl: config.apiUrl, siteKey: config.siteKey, secret: config.secret, event });
  } catch (err) {
    if (err instanceof VeryChatApiError) throw new Error(`VeryChat refused ${event.id}: HTTP ${err.status} ${err.code}: ${err.message}`);
    throw err;
  }
}

/** Support from your own tools: log in as an agent, find the customer's conversation, reply. */
async function replyAsAgent(externalId: string, text: string): Promise<void> {
  if (!config.agentEmail || !config.agentPassword) {
    throw new Error('reply needs --agent-email and --agent-password (or VERYCHAT_AGENT_EMAIL / VERYCHAT_AGENT_PASSWORD).');
  }
  const login = await api<{ token: string }>('POST', '/api/v1/agent/login', undefined, {
    siteKey: config.siteKey,
    email: config.agentEmail,
    password: config.agentPassword,
  });
  let cursor: string | null = null;
  let conversation: { id: string } | undefined;
  do {
    const page: { conversations: { id: string; contact: { externalId: string | null } }[]; nextCursor: string | null } = await api(
      'GET',
      `/api/v1/conversations?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      login.token,
    );
    conversation = page.conversations.find((c) => c.contact.externalId === externalId);
    cursor = page.nextCursor;
  } while (!conversation && cursor);
  if (!conversation) throw new Error(`No conversation with ${externalId} yet.`);
  const sent = await api<{ message: { seq: number } }>('POST', `/api/v1/conversations/${conversation.id}/messages`, login.token, { text });
  console.log(`Agent replied to ${externalId} in conversation ${conversation.id} (message #${sent.message.seq}): ${text}`);
}

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${config.apiUrl}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json?.error?.code ?? ''} ${json?.error?.message ?? ''}`.trim());
  return json as T;
}

main().catch((err: unknown) => {
  console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
