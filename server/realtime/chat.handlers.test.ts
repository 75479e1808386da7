// A socket's set of joined conversations is bounded: joining one more leaves the one joined longest ago.
import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { rooms } from '../services/rooms.ts';
import { joinConversation, MAX_JOINED } from './chat.handlers.ts';
import type { SocketData } from './handle.ts';

describe('joined conversations', () => {
  it(`stay at most ${MAX_JOINED} per socket, the oldest leaving first`, async () => {
    const inRooms = new Set<string>();
    const socket = { join: async (r: string) => void inRooms.add(r), leave: async (r: string) => void inRooms.delete(r) } as unknown as Socket;
    const data = { joined: new Set<string>() } as SocketData;
    for (let i = 0; i <= MAX_JOINED; i++) await joinConversation(socket, data, `c${i}`);
    expect(data.joined.size).toBe(MAX_JOINED);
    expect(inRooms.size).toBe(MAX_JOINED);
    expect(inRooms.has(rooms.conversation('c0'))).toBe(false);
    expect(inRooms.has(rooms.conversation(`c${MAX_JOINED}`))).toBe(true);
    // Joining one already joined changes nothing.
    await joinConversation(socket, data, 'c5');
    expect([...data.joined][0]).toBe('c1');
  });
});
