import { VSCodeButton } from '@vscode/webview-ui-toolkit/react';
import type { ReactNode } from 'react';

export function Button(props: { id?: string; children: ReactNode; onClick(): void; disabled?: boolean; secondary?: boolean; title?: string }) {
  return (
    <VSCodeButton
      id={props.id}
      appearance={props.secondary ? 'secondary' : 'primary'}
      disabled={props.disabled}
      title={props.title}
      onClick={() => {
        if (!props.disabled) props.onClick();
      }}
    >
      {props.children}
    </VSCodeButton>
  );
}
