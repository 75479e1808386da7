// The app chunk, import()ed by the loader (widget.js): it answers every VeryChat call from then on.
// The loader replays the calls the page queued meanwhile, in order. No side effects on import.
import { FEATURES } from './features.ts';
import type { AppModule } from './loader/install.ts';
import { createLogger } from './log.ts';
import { createRuntime } from './runtime.ts';
import { mountWidget } from './widget.tsx';

export const start: AppModule['start'] = (config) => {
  const runtime = createRuntime({
    doc: document,
    mount: mountWidget,
    features: FEATURES,
    log: createLogger(),
    defaultApiUrl: new URL(config.src).origin,
  });
  runtime.bootFromTag(config);
  return runtime.call;
};
