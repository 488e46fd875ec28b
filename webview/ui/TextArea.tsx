import { VSCodeTextArea } from '@vscode/webview-ui-toolkit/react';
import type { FormEvent, KeyboardEvent } from 'react';

export function TextArea(props: {
  id?: string;
  value: string;
  onChange(value: string): void;
  placeholder?: string;
  rows?: number;
  disabled?: boolean;
  /** Ctrl/Cmd+Enter, as in VS Code's own comment boxes. */
  onSubmit?(): void;
}) {
  return (
    <VSCodeTextArea
      id={props.id}
      value={props.value}
      placeholder={props.placeholder}
      rows={props.rows ?? 3}
      disabled={props.disabled}
      resize="vertical"
      onInput={(e: Event | FormEvent<HTMLElement>) => props.onChange(((e as Event).target as HTMLTextAreaElement).value ?? '')}
      onKeyDown={(e: KeyboardEvent<HTMLElement>) => {
        if (props.onSubmit && e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          props.onSubmit();
        }
      }}
    />
  );
}
