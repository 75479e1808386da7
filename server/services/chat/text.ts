// Message text normalisation: what is stored is what every client shows.
import { MAX_MESSAGE_LENGTH } from '../../../protocol/chat.ts';
import { AppError } from '../../errors.ts';

// C0/C1 controls except tab and newline, plus bidi overrides that can disguise text.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

export function normalizeText(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
  const length = [...text].length;
  if (length === 0) throw new AppError('VALIDATION_FAILED', 'Message text is empty.', { issues: [{ path: 'text', message: 'empty' }] });
  if (length > MAX_MESSAGE_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `Message text is longer than ${MAX_MESSAGE_LENGTH} characters.`, {
      issues: [{ path: 'text', message: `at most ${MAX_MESSAGE_LENGTH} characters` }],
    });
  }
  return text;
}
