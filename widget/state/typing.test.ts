import { describe, expect, it } from 'vitest';
import { createTypingThrottle } from './typing.ts';

function harness() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const sent: boolean[] = [];
  const throttle = createTypingThrottle({
    send: (v) => sent.push(v),
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { throttle, sent, advance };
}

describe('typing throttle', () => {
  it('sends at most one "typing" per 2 s while keys keep coming', () => {
    const { throttle, sent, advance } = harness();
    for (let i = 0; i < 10; i++) {
      throttle.input();
      advance(300); // 3 s of typing in total
    }
    expect(sent).toEqual([true, true]);
  });

  it('sends "stopped" once after 3 s without input, and on stop()', () => {
    const { throttle, sent, advance } = harness();
    throttle.input();
    advance(3000);
    expect(sent).toEqual([true, false]);
    throttle.stop(); // Already stopped: nothing more.
    throttle.input();
    throttle.stop();
    expect(sent).toEqual([true, false, true, false]);
  });
});
