import { VSCodeProgressRing } from '@vscode/webview-ui-toolkit/react';

export function Spinner(props: { label: string }) {
  return <VSCodeProgressRing className="spinner" aria-label={props.label} />;
}
