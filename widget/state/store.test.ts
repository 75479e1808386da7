import { describe, expect, it } from 'vitest';
import { createStore } from './store.ts';

describe('createStore', () => {
  it('tells every listener of a change, in subscription order', () => {
    const store = createStore(0);
    const heard: string[] = [];
    store.subscribe((v) => heard.push(`a${v}`));
    store.subscribe((v) => heard.push(`b${v}`));
    store.set(1);
    store.set((n) => n + 1);
    store.set(2); // No change: nobody is told.
    expect(heard).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('a listener that sets a newer value: no listener hears an older value after it, and each ends on the current one', () => {
    // The widget's case: opening the window (open: true) makes the features' listener, subscribed first,
    // show the home view (panel: 'home'); the App, subscribed after it, used to get { open: true, panel: null }
    // last and draw the composer while the store held the home.
    const ui = createStore({ open: false, panel: null as string | null });
    const features: string[] = [];
    const app: string[] = [];
    const label = (s: { open: boolean; panel: string | null }): string => `${s.open ? 'open' : 'closed'}:${s.panel}`;
    ui.subscribe((s) => {
      features.push(label(s));
      if (s.open && !s.panel) ui.set((x) => ({ ...x, panel: 'home' }));
    });
    ui.subscribe((s) => app.push(label(s)));
    ui.set((s) => ({ ...s, open: true }));
    expect(ui.get()).toEqual({ open: true, panel: 'home' });
    expect(features).toEqual(['open:null', 'open:home']);
    expect(app).toEqual(['open:home']);
  });

  it('nested sets several deep still end every listener on the current value', () => {
    const store = createStore(0);
    const last: number[] = [0, 0, 0];
    store.subscribe((v) => void (last[0] = v));
    store.subscribe((v) => {
      last[1] = v;
      if (v < 3) store.set(v + 1);
    });
    store.subscribe((v) => void (last[2] = v));
    store.set(1);
    expect(store.get()).toBe(3);
    expect(last).toEqual([3, 3, 3]);
  });

  it('a listener unsubscribed by another during a change is still told this once; later changes skip it', () => {
    const store = createStore(0);
    const heard: number[] = [];
    let stopB = (): void => {};
    store.subscribe(() => stopB());
    stopB = store.subscribe((v) => heard.push(v));
    store.set(1);
    store.set(2);
    expect(heard).toEqual([1]);
  });
});
