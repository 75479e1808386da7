// When the team usually replies, for a customer handed to people while none of them is online. The
// merchant's own words when they set them (workspace:settings --reply-time); else what the workspace's last
// 30 days measured: the median time from a customer's handoff to the first agent reply, once there are
// enough handoffs to say so; else nothing (no promise the data cannot back).
import { Prisma, type PrismaClient } from '../../db/generated/client.ts';
import { boundedCache, type BoundedCache } from '../cache.ts';
import { workspaceSettings } from '../workspaces.service.ts';

export interface ReplyTime {
  /** The merchant's own words ("Usually within an hour"). */
  text?: string;
  /** Measured: the median minutes from a handoff to the first agent reply (at least 1). */
  typicalMinutes?: number;
}

export interface ReplyTimesOptions {
  /** Handoffs measured before a typical time is told (fewer say too little). */
  minSamples?: number;
  /** How long one workspace's measurement is reused. */
  ttlMs?: number;
  now?: () => number;
}

const WINDOW_DAYS = 30;
/** The newest handoffs measured: enough for a median, bounded for a workspace with very many. */
const MAX_SAMPLES = 500;

export class ReplyTimes {
  private readonly measured: BoundedCache<{ minutes: number | null }>;
  private readonly minSamples: number;

  constructor(
    private readonly prisma: PrismaClient,
    opts: ReplyTimesOptions = {},
  ) {
    this.minSamples = opts.minSamples ?? 5;
    this.measured = boundedCache({ max: 1000, ttlMs: opts.ttlMs ?? 10 * 60_000, ...(opts.now && { now: opts.now }) });
  }

  async of(workspaceId: string): Promise<ReplyTime | undefined> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
    if (!ws) return undefined;
    const text = workspaceSettings(ws).replyTime;
    if (text) return { text };
    const minutes = await this.typicalMinutes(workspaceId);
    return minutes === null ? undefined : { typicalMinutes: minutes };
  }

  /** The median minutes from a customer's handoff (asked, or an offer accepted) to the first agent reply. */
  async typicalMinutes(workspaceId: string): Promise<number | null> {
    const cached = this.measured.get(workspaceId);
    if (cached) return cached.minutes;
    // Handoffs an agent's own reply caused answer in no time and would only flatter the figure.
    const [row] = await this.prisma.$queryRaw<{ median: number | null; n: number }[]>(Prisma.sql`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s."secs")::float8 AS "median", count(*)::int AS "n"
        FROM (SELECT EXTRACT(EPOCH FROM (
                       (SELECT min(m."createdAt") FROM "Message" m
                         WHERE m."conversationId" = c."id" AND m."senderType" = 'agent' AND m."createdAt" >= c."handoffAt")
                       - c."handoffAt")) AS "secs"
                FROM "Conversation" c
               WHERE c."workspaceId" = ${workspaceId}::uuid
                 AND c."handoffAt" >= now() - make_interval(days => ${WINDOW_DAYS})
                 AND c."handoffReason" IN ('customer-asked', 'offer-accepted')
               ORDER BY c."handoffAt" DESC
               LIMIT ${MAX_SAMPLES}) s
       WHERE s."secs" IS NOT NULL`);
    const minutes = row && row.n >= this.minSamples && row.median !== null ? Math.max(1, Math.round(row.median / 60)) : null;
    this.measured.set(workspaceId, { minutes });
    return minutes;
  }
}
