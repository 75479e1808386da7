// The payments chunk: everything payments adds for identified customers (the controller that joins
// the user room, notification state, toasts, the bell's list, payment cards, exact amounts). The
// app fetches it only when it is needed (load.ts): the session says "customer", a payment card is
// in the conversation, or the page calls a notifications API method. Anonymous page views, the
// vast majority, never download it.
//
// In the script-tag build it is pay.<hash>.js and shares the app's Preact (rollup.config.mjs,
// `SHARED`); it must not import app modules (values), or they would ship twice: the build fails if
// it does. Types are fine.
import css from './payments.css?inline';

export { css };
export { createPayments, type Payments, type PaymentsOptions } from './controller.ts';
export { asPayment } from './state.ts';
export { Bell, NotificationsPanel, PaymentCard, Toasts } from './ui.tsx';
