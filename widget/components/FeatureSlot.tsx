import { panelOf, type Feature } from '../feature.ts';
import type { UiState } from '../state/ui.ts';
import { useWidget } from './context.ts';

/** Draws one kind of part (header buttons, the end of the log, overlay) of every loaded feature, in feature order. */
export function FeatureSlot({ slot, ui }: { slot: 'HeaderButtons' | 'Log' | 'Overlay'; ui: UiState }) {
  const { i18n, features } = useWidget();
  return (
    <>
      {features.map(({ name, feature }) => {
        const Part = feature[slot];
        return Part ? <Part key={name} i18n={i18n} ui={ui} panel={panelOf(ui, name)} /> : null;
      })}
    </>
  );
}

/** The loaded feature whose panel is open, and that panel's component. */
export function openPanel(features: readonly { name: string; feature: Feature }[], ui: UiState) {
  for (const { name, feature } of features) {
    const id = panelOf(ui, name);
    const Panel = id !== null ? feature.panels?.[id] : undefined;
    if (Panel) return { name, Panel };
  }
  return null;
}
