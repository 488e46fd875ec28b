import { VSCodeBadge, VSCodePanels, VSCodePanelTab, VSCodePanelView } from '@vscode/webview-ui-toolkit/react';
import type { FormEvent, ReactNode } from 'react';

export interface TabSpec<K extends string> {
  key: K;
  label: string;
  /** e.g. a count after the label; hidden when undefined. */
  badge?: string | number;
  content: ReactNode;
}

/** Tabs with stable ids: tab-<key> for a header, view-<key> for its panel. */
export function Tabs<K extends string>(props: { id?: string; active: K; onChange(key: K): void; tabs: TabSpec<K>[] }) {
  return (
    <VSCodePanels
      id={props.id}
      activeid={`tab-${props.active}`}
      onChange={(e: Event | FormEvent<HTMLElement>) => {
        const id = ((e as Event).target as HTMLElement & { activeid?: string }).activeid;
        const key = id?.startsWith('tab-') ? (id.slice(4) as K) : undefined;
        if (key && key !== props.active && props.tabs.some((t) => t.key === key)) props.onChange(key);
      }}
    >
      {props.tabs.map((t) => (
        <VSCodePanelTab key={`tab-${t.key}`} id={`tab-${t.key}`}>
          {t.label}
          {t.badge !== undefined ? <VSCodeBadge>{t.badge}</VSCodeBadge> : null}
        </VSCodePanelTab>
      ))}
      {props.tabs.map((t) => (
        <VSCodePanelView key={`view-${t.key}`} id={`view-${t.key}`}>
          {t.content}
        </VSCodePanelView>
      ))}
    </VSCodePanels>
  );
}
