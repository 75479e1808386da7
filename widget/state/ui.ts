import type { WidgetSettings } from '../../protocol/rest.ts';
import type { ClientError, ConnectionStatus } from '../connection.ts';

/** `failed`: the server refused us for good (unknown site key, origin not allowed). */
export type WidgetStatus = Exclude<ConnectionStatus, 'refused'> | 'failed';

export interface UiState {
  open: boolean;
  status: WidgetStatus;
  /** Why the chat is unavailable, when status is `failed`. */
  error: ClientError | null;
  workspaceName: string | null;
  /** What the server says about looks; explicit options (data-*, boot) take precedence. */
  settings: WidgetSettings | null;
  /** The composer's text (prefill() writes it). */
  draft: string;
  /** A feature's panel shown in place of the messages, as `<feature>:<panel>` (see feature.ts). */
  panel: string | null;
}

export const initialUiState = (): UiState => ({
  open: false,
  status: 'idle',
  error: null,
  workspaceName: null,
  settings: null,
  draft: '',
  panel: null,
});
