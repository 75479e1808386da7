import { SETUP_REFUSALS } from '../chat/session.ts';
import type { ClientError } from '../connection.ts';
import type { WidgetStatus } from '../state/ui.ts';
import { useWidget } from './context.ts';

const TEXT = {
  connecting: 'connecting',
  reconnecting: 'reconnecting',
  offline: 'offline',
  failed: 'unavailable',
} as const;

export function ConnectionBanner({ status, error }: { status: WidgetStatus; error: ClientError | null }) {
  const { i18n } = useWidget();
  const key = error && SETUP_REFUSALS.has(error.code) ? 'notAvailable' : status in TEXT ? TEXT[status as keyof typeof TEXT] : null;
  return (
    <div role="status" class={key ? `vc-banner${status === 'failed' ? ' vc-banner-failed' : ''}` : undefined}>
      {key ? i18n.t(key) : null}
    </div>
  );
}
