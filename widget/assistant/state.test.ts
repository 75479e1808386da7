import { describe, expect, it } from 'vitest';
import type { AiResponseEvent } from '../../protocol/assistant-values.ts';
import { message } from '../test/fake-connection.ts';
import { asked, initialAssistantState, modeOf, onHandoff, onResponse, retrying, type AssistantState } from './state.ts';

const C = 'conv-1';
const ev = (e: Record<string, unknown>): AiResponseEvent => ({ conversationId: C, queryId: 'q1', ...e }) as AiResponseEvent;
const play = (events: AiResponseEvent[], from: AssistantState = initialAssistantState()) => events.reduce(onResponse, from);
const answer = { route: 'faq', text: 'Done.', language: 'en', sources: { articles: [], payments: [] }, followUps: [], actions: [], confidence: 0.9, handoff: false } as const;

describe('answers being written', () => {
  it('start shows typing, deltas append, final ends the stream (its stored message takes over)', () => {
    let s = play([ev({ type: 'start' })]);
    expect(s.streams).toEqual([{ queryId: 'q1', conversationId: C, phase: 'typing', text: '', error: null }]);
    expect(s.status).toBe('writing');
    s = play([ev({ type: 'delta', text: 'Refunds ' }), ev({ type: 'delta', text: 'take **5 days**' })], s);
    expect(s.streams[0]).toMatchObject({ phase: 'writing', text: 'Refunds take **5 days**' });
    s = play([ev({ type: 'final', interactionId: 'i1', text: 'Done.', answer, message: message(2) })], s);
    expect(s.streams).toEqual([]);
    expect(s.status).toBe('answered');
  });

  it('a delta without a start (a device that reconnected mid-answer) starts the stream', () => {
    expect(play([ev({ type: 'delta', text: 'Hi' })]).streams[0]).toMatchObject({ phase: 'writing', text: 'Hi' });
  });

  it('an error keeps a line with its code; deltas after it change nothing; a retry types again', () => {
    let s = play([ev({ type: 'start' }), ev({ type: 'delta', text: 'Par' }), ev({ type: 'error', error: { code: 'INTERNAL', message: 'x' } })]);
    expect(s.streams[0]).toMatchObject({ phase: 'error', error: { code: 'INTERNAL', message: 'x' } });
    expect(s.status).toBeNull();
    s = play([ev({ type: 'delta', text: 'tial' })], s);
    expect(s.streams[0]!.phase).toBe('error');
    s = retrying(s, 'q1');
    expect(s.streams[0]).toMatchObject({ phase: 'typing', text: '', error: null });
  });

  it('a handoff mid-stream hides it, and nothing more of the assistant shows in that conversation', () => {
    let s = play([ev({ type: 'start' }), ev({ type: 'delta', text: 'Half an ans' }), { ...ev({ type: 'start' }), queryId: 'other', conversationId: 'conv-2' }]);
    s = onHandoff(s, { conversationId: C, mode: 'human' });
    expect(s.streams.map((x) => x.queryId)).toEqual(['other']);
    expect(modeOf(s, { id: C, mode: 'ai' })).toBe('human');
    s = play([ev({ type: 'delta', text: 'wer' })], s);
    expect(s.streams.map((x) => x.queryId)).toEqual(['other']);
    // Back to the assistant (an agent handed it back): answers show again.
    s = play([ev({ type: 'start' })], onHandoff(s, { conversationId: C, mode: 'ai' }));
    expect(s.streams.map((x) => x.queryId)).toEqual(['other', 'q1']);
  });

  it('remembers the questions this device asked, for a retry with the same client id', () => {
    const s = asked(initialAssistantState(), 'q1', { conversationId: C, clientQueryId: 'cm-1', text: 'fees?' });
    expect(s.questions.q1).toEqual({ conversationId: C, clientQueryId: 'cm-1', text: 'fees?' });
  });
});
