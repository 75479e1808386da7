// The colour maths lives in protocol/color.ts (the receipt page the server renders uses it too); the
// widget's default brand colour stays here.
export { contrastRatio, luminance, parseHexColor, readableTextColor } from '../../protocol/color.ts';

export const DEFAULT_COLOR = '#2563eb';
