// Build stub (rollup.config.mjs): engine.io-client's HTTP long-polling over fetch() instead of
// XMLHttpRequest. Both ship with engine.io-client; the fetch one is a quarter of the size, and the
// widget needs neither cookies nor Node. Polling is only the fallback when WebSocket cannot open.
export { Fetch as XHR } from '../../node_modules/engine.io-client/build/esm/transports/polling-fetch.js';
