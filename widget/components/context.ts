import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Controller } from '../controller.ts';
import type { I18n } from '../i18n/index.ts';
import type { PaymentsFeature } from '../payments/load.ts';
import type { Store } from '../state/store.ts';

/** What every component may need, passed down once instead of imported as module singletons. */
export interface WidgetContextValue {
  i18n: I18n;
  controller: Controller;
  /** The lazily loaded payments chunk; null until it arrives (payment cards show as text meanwhile). */
  payments: PaymentsFeature | null;
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
