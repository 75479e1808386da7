// The workspace settings' address (issue 10 point 9): /support/settings/<section>[/<more>], deep-linkable.
// This file is in the console's first load (the nav entry, the URL); the screens are a lazy chunk (Settings.tsx).
import type { AgentMeResponse } from '../../protocol/console.ts';
import type { Store } from '../store.ts';

export const SECTIONS = ['kb', 'unanswered', 'widget', 'security', 'team'] as const;
export type Section = (typeof SECTIONS)[number];

/** Owners and admins manage the workspace; agents never see the entry (and the server answers FORBIDDEN). */
export const isAdmin = (me: AgentMeResponse | null) => me?.agent.role === 'owner' || me?.agent.role === 'admin';

/** The part after /support/settings/ ("kb", "kb/en/refunds", "widget"…); null when the address is not a settings one. */
export function settingsPathOf(pathname: string): string | null {
  const m = /^\/support\/settings(?:\/(.*))?$/.exec(pathname.replace(/\/+$/, ''));
  if (!m) return null;
  const rest = m[1] ?? '';
  return SECTIONS.includes(rest.split('/')[0] as Section) ? rest : 'kb';
}

/**
 * The settings address the page was opened at, read before anything else runs: a deep link still leads there
 * after the sign-in form (which puts the address back to /support). Used once.
 */
let bootPath: string | null = typeof location === 'undefined' ? null : settingsPathOf(location.pathname);
export function takeBootPath(): string | null {
  const p = bootPath;
  bootPath = null;
  return p;
}

export function sectionOf(path: string): Section {
  const s = path.split('/')[0] as Section;
  return SECTIONS.includes(s) ? s : 'kb';
}

export function goSettings(store: Store, path: string, replace = false): void {
  const url = `/support/settings/${path}`;
  if (location.pathname !== url) history[replace ? 'replaceState' : 'pushState'](null, '', url);
  store.set({ settings: path });
}

/** Back to the inbox (the view the agent was on). */
export function leaveSettings(store: Store): void {
  const view = store.state.view;
  history.pushState(null, '', `/support${view !== 'needs-reply' ? `?view=${view}` : ''}`);
  store.set({ settings: null });
}
