import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Controller } from '../controller.ts';
import type { LoadedFeature } from '../feature.ts';
import type { I18n } from '../i18n/index.ts';
import type { Store } from '../state/store.ts';

/** What every component may need, passed down once instead of imported as module singletons. */
export interface WidgetContextValue {
  i18n: I18n;
  controller: Controller;
  /** Features loaded so far (their parts are drawn where the core has a slot for them). */
  features: readonly LoadedFeature[];
}

export const WidgetContext = createContext<WidgetContextValue | null>(null);

export function useWidget(): WidgetContextValue {
  const value = useContext(WidgetContext);
  if (!value) throw new Error('WidgetContext missing');
  return value;
}

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get()); // It may have changed between render and subscribe.
    return store.subscribe(setValue);
  }, [store]);
  return value;
}
