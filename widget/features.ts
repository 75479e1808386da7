// The features this widget ships, in the order their header buttons and overlays are drawn. The one
// place that names them: the entries (app.ts, index.ts) hand this list to the runtime.
import { assistant } from './assistant/feature.ts';
import type { FeatureDescriptor } from './feature.ts';
import { payments } from './payments/feature.ts';

export const FEATURES: readonly FeatureDescriptor[] = [assistant, payments];
