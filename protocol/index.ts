export * from './errors.ts';
export * from './chat.ts';
export * from './events.ts';
export * from './rest.ts';
export * from './payments.ts';
