import type en from './en.json';

export type MessageKey = keyof typeof en;
/** Every English key, plus the extra plural forms (`_zero`, `_two`, `_few`, `_many`) some languages need. */
export type Catalog = { [K in MessageKey]: string } & { [plural: string]: string };
