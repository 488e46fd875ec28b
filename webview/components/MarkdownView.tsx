// Release notes rendered from Markdown as React text nodes (webview/markdown.ts): no HTML from the
// notes ever reaches the DOM, so a commit subject cannot inject markup or script.
import type { ReactNode } from 'react';
import { parseMarkdown, type Inline } from '../markdown';

function inline(parts: Inline[]): ReactNode[] {
  return parts.map((p, i) => {
    switch (p.kind) {
      case 'strong':
        return <strong key={i}>{p.text}</strong>;
      case 'em':
        return <em key={i}>{p.text}</em>;
      case 'code':
        return <code key={i}>{p.text}</code>;
      case 'link':
        // Shown, not followed: the address is visible text beside the link text.
        return (
          <span key={i} className="md-link" title={p.href}>
            {p.text} <span className="muted">({p.href})</span>
          </span>
        );
      default:
        return p.text;
    }
  });
}

export function MarkdownView(props: { id?: string; text: string }) {
  const blocks = parseMarkdown(props.text);
  return (
    <div className="markdown" id={props.id}>
      {blocks.map((b, i) => {
        switch (b.kind) {
          case 'heading': {
            const H = `h${Math.min(6, b.level + 1)}` as 'h2';
            return <H key={i}>{inline(b.inline)}</H>;
          }
          case 'paragraph':
            return <p key={i}>{inline(b.inline)}</p>;
          case 'list': {
            const L = b.ordered ? 'ol' : 'ul';
            return (
              <L key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>{inline(item)}</li>
                ))}
              </L>
            );
          }
          case 'code':
            return <pre key={i}>{b.text}</pre>;
          case 'quote':
            return <blockquote key={i}>{inline(b.inline)}</blockquote>;
          case 'rule':
            return <hr key={i} />;
        }
      })}
    </div>
  );
}
