// The workspace settings (issue 10 point 9), a lazy chunk: knowledge base, the assistant's unanswered
// questions, the widget and its origins, the secret, the team. Owners and admins only (App shows the entry to
// them; the server answers FORBIDDEN to anyone else). Every change goes through api.ts (CSRF header).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Controller } from '../controller.ts';
import type { AppState } from '../store.ts';
import { cachedAdminText, loadAdminText, type AdminText } from './i18n/index.ts';
import { AdminIcon, type AdminIconName } from './icons.tsx';
import { goSettings, leaveSettings, sectionOf, SECTIONS, type Section } from './route.ts';
import { Kb } from './Kb.tsx';
import { Security } from './Security.tsx';
import { Team } from './Team.tsx';
import { Unanswered } from './Unanswered.tsx';
import { Widget } from './Widget.tsx';
import type { Ctx, Prefill } from './ui.tsx';
import css from './admin.css?inline';

// The settings' styles come with their chunk: the console's first load stays as it was.
const style = document.createElement('style');
style.textContent = css;
document.head.append(style);

const ICONS: Record<Section, AdminIconName> = { kb: 'book', unanswered: 'question', widget: 'widget', security: 'shield', team: 'team' };

export function Settings({ s, c }: { s: AppState; c: Controller }) {
  const locale = s.i18n.locale;
  const [text, setText] = useState<AdminText | null>(() => cachedAdminText(locale));
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  useEffect(() => {
    if (text?.locale !== locale) void loadAdminText(locale).then(setText);
  }, [locale]);
  const path = s.settings ?? 'kb';
  const section = sectionOf(path);
  const heading = useRef<HTMLHeadingElement>(null);
  const content = useRef<HTMLDivElement>(null);
  useEffect(() => content.current?.scrollTo(0, 0), [path]);
  const first = useRef(true);
  // A new section: focus its heading (screen readers hear where they are; Tab continues from there).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [section]);
  useEffect(() => {
    if (text) document.title = `${text.t(`section.${section}`)} · ${text.t('title')} · ${s.me?.workspace.name ?? ''}`;
  }, [section, text]);
  if (!text) return <div class="adm-loading" aria-busy="true" />;
  const t = text.t;
  const ctx: Ctx = {
    s,
    c,
    t: text,
    path,
    go: (p, o) => goSettings(c.store, p, o?.replace),
    prefill,
    setPrefill,
  };
  return (
    <div class="adm-layout">
      <nav class="adm-nav" aria-label={t('sections')}>
        <a
          class="adm-back"
          href="/support"
          onClick={(e) => {
            e.preventDefault();
            leaveSettings(c.store);
          }}
        >
          <AdminIcon name="arrowLeft" size={14} /> {t('back')}
        </a>
        <h2 class="adm-nav-title">{t('title')}</h2>
        <ul>
          {SECTIONS.map((sec) => (
            <li key={sec}>
              <a
                href={`/support/settings/${sec}`}
                class={`adm-nav-item${sec === section ? ' active' : ''}`}
                aria-current={sec === section ? 'page' : undefined}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                  e.preventDefault();
                  goSettings(c.store, sec);
                }}
              >
                <AdminIcon name={ICONS[sec]} />
                <span>
                  <span class="adm-nav-name">{t(`section.${sec}`)}</span>
                  <span class="adm-nav-desc">{t(`section.${sec}.short`)}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="adm-content" ref={content}>
        <div class="adm-inner">
          <header class="adm-head">
            <h2 ref={heading} tabIndex={-1}>
              {t(`section.${section}`)}
            </h2>
            <p class="muted">{t(`section.${section}.desc`)}</p>
          </header>
          {section === 'kb' && <Kb ctx={ctx} />}
          {section === 'unanswered' && <Unanswered ctx={ctx} />}
          {section === 'widget' && <Widget ctx={ctx} />}
          {section === 'security' && <Security ctx={ctx} />}
          {section === 'team' && <Team ctx={ctx} />}
        </div>
      </div>
    </div>
  );
}
