// A bare Socket.io relay: the floor VeryChat's chat path is compared against (`npm run bench:chat -- --compare-relay`).
// No auth, no storage, no validation: the same wire shape as VeryChat's customer socket so one generator drives both.
//   start-conversation {}              → joins the room named by the handshake's `auth.user`; acks { ok, conversation: { id } }
//   send-message { conversationId, clientMessageId, text } → acks { ok, message, duplicate: false } and emits
//                                        `message-received` (a MessageDto) to the room's other sockets (no echo, as VeryChat)
// Run: node --import tsx bench/relay.ts   (prints "relay listening at http://127.0.0.1:<port>"; PORT to choose one).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface RelayMessage {
  id: string;
  conversationId: string;
  seq: number;
  clientMessageId: string;
  sender: { type: 'contact'; id: string | null; name: string | null };
  kind: 'text';
  text: string;
  payload: null;
  createdAt: string;
}

type Ack = (reply: unknown) => void;

const http = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
// The same engine options as VeryChat's gateway (server/realtime/gateway.ts).
const io = new Server(http, {
  maxHttpBufferSize: 64 * 1024,
  pingInterval: 20_000,
  pingTimeout: 20_000,
  serveClient: false,
});
const seqOf = new Map<string, number>();

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { user?: unknown };
  const user = typeof auth.user === 'string' ? auth.user : socket.id;
  const conversationId = `conv-${user}`;
  socket.emit('session', { user });

  socket.on('start-conversation', (_payload: unknown, ack: Ack) => {
    void socket.join(conversationId);
    ack({ ok: true, conversation: { id: conversationId, lastSeq: seqOf.get(conversationId) ?? 0 }, created: false, others: 0, messages: [], hasMore: false });
  });

  socket.on('send-message', (payload: { conversationId?: unknown; clientMessageId?: unknown; text?: unknown }, ack: Ack) => {
    if (typeof ack !== 'function') return;
    if (typeof payload?.conversationId !== 'string' || !socket.rooms.has(payload.conversationId)) {
      return ack({ ok: false, error: { code: 'FORBIDDEN', message: 'Join the conversation first.' } });
    }
    const seq = (seqOf.get(payload.conversationId) ?? 0) + 1;
    seqOf.set(payload.conversationId, seq);
    const message: RelayMessage = {
      id: randomUUID(),
      conversationId: payload.conversationId,
      seq,
      clientMessageId: String(payload.clientMessageId),
      sender: { type: 'contact', id: user, name: null },
      kind: 'text',
      text: String(payload.text),
      payload: null,
      createdAt: new Date().toISOString(),
    };
    socket.to(payload.conversationId).emit('message-received', message);
    ack({ ok: true, message, duplicate: false });
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  console.log(`relay listening at http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  void io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
