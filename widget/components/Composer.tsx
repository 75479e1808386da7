import { useLayoutEffect, useRef } from 'preact/hooks';
import { MAX_MESSAGE_LENGTH } from '../controller.ts';
import { SEND_ICON } from './icons.ts';
import { Icon } from './Icon.tsx';
import { useWidget } from './context.ts';

/** The counter appears this close to the limit. */
const COUNTER_FROM = 200;

export interface ComposerProps {
  draft: string;
  inputRef: { current: HTMLTextAreaElement | null };
}

export function Composer({ draft, inputRef }: ComposerProps) {
  const { i18n, controller } = useWidget();
  const length = draft.trim().length;
  const remaining = MAX_MESSAGE_LENGTH - draft.length;
  const canSend = length > 0 && remaining >= 0;
  const counterId = 'vc-counter';

  // Grow with the text up to the CSS max-height, then scroll.
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [draft]);

  const submit = (): void => {
    if (!canSend) return;
    controller.send(draft.trim());
    controller.setDraft('');
    inputRef.current?.focus();
  };

  return (
    <>
      {remaining <= COUNTER_FROM && (
        <div id={counterId} class={`vc-counter${remaining < 0 ? ' vc-counter-over' : ''}`}>
          {remaining >= 0 ? i18n.plural('charsLeft', remaining) : i18n.plural('overLimit', -remaining)}
        </div>
      )}
      <form
        class="vc-composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={inputRef}
          class="vc-input"
          rows={1}
          value={draft}
          aria-label={i18n.t('composerLabel')}
          aria-describedby={remaining <= COUNTER_FROM ? counterId : undefined}
          aria-invalid={remaining < 0}
          placeholder={i18n.t('placeholder')}
          onInput={(e) => {
            const text = e.currentTarget.value;
            controller.setDraft(text);
            if (text.trim()) controller.typing();
            else controller.stopTyping();
          }}
          onKeyDown={(e) => {
            // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
          onBlur={() => controller.stopTyping()}
        />
        <button type="submit" class="vc-send" aria-label={i18n.t('send')} disabled={!canSend}>
          <Icon path={SEND_ICON} />
        </button>
      </form>
    </>
  );
}
