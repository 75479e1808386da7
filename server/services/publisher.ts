// The port through which domain services push events to connected clients. The realtime gateway
// implements it; services never see Socket.io.
import type { ServerEvents } from '../../protocol/events.ts';

export interface PublishOptions {
  /** A connection (as the transport names it) that already has the event, e.g. the sender, answered by its ack. */
  except?: string;
}

export interface Publisher {
  publish<E extends keyof ServerEvents>(roomNames: string[], event: E, payload: ServerEvents[E], opts?: PublishOptions): void;
  /** Whether anyone is in the room, on any instance (e.g. an agent of the workspace is online). */
  occupied(room: string): Promise<boolean>;
}

/** Lets services be built before the gateway exists; events published before it attaches are dropped. */
export class LatePublisher implements Publisher {
  private target: Publisher | null = null;
  attach(target: Publisher | null): void {
    this.target = target;
  }
  publish<E extends keyof ServerEvents>(roomNames: string[], event: E, payload: ServerEvents[E], opts?: PublishOptions): void {
    this.target?.publish(roomNames, event, payload, opts);
  }
  occupied(room: string): Promise<boolean> {
    return this.target ? this.target.occupied(room) : Promise.resolve(false);
  }
}
