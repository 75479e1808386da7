// npm entry: `import { createVeryChat } from 'verychat/widget'`. No globals, no loader: the widget
// is bundled in (its lazy parts as chunks), and createVeryChat() returns the same typed API
// `window.VeryChat` offers.
import { METHODS } from './api-methods.ts';
import { FEATURES } from './features.ts';
import { createRuntime } from './runtime.ts';
import type { BootOptions, VeryChatApi } from './types.ts';
import { mountWidget } from './widget.tsx';

export type * from './types.ts';

/**
 * Creates a widget instance. With options it boots at once (same as `api.boot(options)`);
 * without, call `boot()` when ready. Several instances may coexist, one per site key.
 */
export function createVeryChat(options?: BootOptions): VeryChatApi {
  const runtime = createRuntime({ doc: document, mount: mountWidget, features: FEATURES });
  const api = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of METHODS) api[method] = (...args: unknown[]) => runtime.call(method, args);
  if (options !== undefined) void api.boot!(options);
  return api as unknown as VeryChatApi;
}
