// Entry of dist/widget/app.<hash>.js, fetched by the loader (widget.js). It hands the loader a
// dispatcher; the loader replays the calls the page queued meanwhile, in order.
import type { VeryChatGlobal } from './loader/install.ts';
import { createLogger } from './log.ts';
import { createRuntime } from './runtime.ts';
import { mountWidget } from './widget.tsx';

const global = (window as Window & { VeryChat?: VeryChatGlobal }).VeryChat;
if (global?._a) {
  global._a((config) => {
    const runtime = createRuntime({
      doc: document,
      mount: mountWidget,
      log: createLogger(),
      defaultApiUrl: new URL(config.src).origin,
    });
    runtime.bootFromTag(config);
    return runtime.call;
  });
} else {
  console.error('[VeryChat] This file is loaded by widget.js; include <script src=".../widget.js" data-site-key="..."> instead.');
}
