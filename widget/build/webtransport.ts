// Build stub for engine.io-client's WebTransport transport (rollup.config.mjs): the widget asks for
// websocket and polling only, so this class is never constructed.
export class WT {}
