// A minimal observable value: enough for Preact components to subscribe and for tests to read.
export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(listener: (value: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<(value: T) => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      for (const l of [...listeners]) {
        // A listener set a newer value meanwhile (opening the window shows the home view, from the
        // features' listener): that set told every listener already, so this older value goes to
        // nobody else. Handed over after it, it would be the last word: a view (the App) drawing a
        // state that is gone, e.g. the composer instead of the home, until some unrelated change
        // (the session settling, a keystroke) swaps the real one in under the visitor's fingers.
        if (!Object.is(value, v)) return;
        l(v);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
