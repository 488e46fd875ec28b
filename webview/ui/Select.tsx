import type { ChangeEvent } from 'react';

/**
 * A drop-down list. A native <select> themed with VS Code's dropdown colours (media/dashboard.css):
 * keyboard, screen readers and Playwright's selectOption work on it as on any form control.
 */
export function Select(props: { id?: string; label: string; value: string; options: readonly { value: string; label: string }[]; onChange(value: string): void; disabled?: boolean }) {
  return (
    <label className="select">
      <span className="select-label">{props.label}</span>
      <select id={props.id} value={props.value} disabled={props.disabled} onChange={(e: ChangeEvent<HTMLSelectElement>) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
