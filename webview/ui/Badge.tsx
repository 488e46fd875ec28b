import { VSCodeBadge } from '@vscode/webview-ui-toolkit/react';
import type { ReactNode } from 'react';

export function Badge(props: { id?: string; children: ReactNode }) {
  return <VSCodeBadge id={props.id}>{props.children}</VSCodeBadge>;
}
