// The seam the app fetches the payments chunk (index.ts) through. The app build (rollup.config.mjs,
// `appLazyModules`) replaces this module with a loader of the content-hashed `pay.<hash>.js` script
// next to the app, which runs on the app's Preact; here (npm build, tests) it is a dynamic import.
import type { Payments } from './controller.ts';
import type * as Module from './index.ts';

export type PaymentsModule = typeof Module;

/** The payments chunk once loaded, and its controller for one widget. */
export interface PaymentsFeature {
  ui: PaymentsModule;
  controller: Payments;
}

export function loadPayments(): Promise<PaymentsModule> {
  return import('./index.ts');
}
