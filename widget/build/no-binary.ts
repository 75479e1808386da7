// Build stub for socket.io's binary packet support (rollup.config.mjs): the VeryChat protocol is JSON
// only, so nothing binary is ever sent or received; if it were, this says why it fails.
const unsupported = (): never => {
  throw new Error('[VeryChat] binary socket.io packets are not supported');
};
export const isBinary = (): boolean => false;
export const hasBinary = (): boolean => false;
export const deconstructPacket = unsupported;
export const reconstructPacket = unsupported;
export const encode = unsupported;
export const decode = unsupported;
