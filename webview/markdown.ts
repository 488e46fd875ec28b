// A small Markdown reader for release notes: headings, lists, paragraphs, code blocks, quotes, and
// **bold**, *emphasis*, `code` and [links](url) inline. It produces plain data that React renders as
// text, so nothing in the notes — a commit subject with <script>, an HTML comment — ever becomes
// markup: there is no raw HTML path at all. Links show their text and address but do not navigate.
// Pure (no DOM): unit tests check it.

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'em'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; text: string; href: string };

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; inline: Inline[] }
  | { kind: 'paragraph'; inline: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'code'; text: string }
  | { kind: 'quote'; inline: Inline[] }
  | { kind: 'rule' };

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" };

/** The notes escape < and > as entities (so a Markdown renderer cannot open a tag); shown as text, they read as the characters. */
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

const INLINE_RE = /(\*\*[^*\n]+\*\*|`[^`\n]+`|\*[^*\s\n][^*\n]*\*|\[[^\]\n]+\]\([^)\s]+\))/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE_RE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: decodeEntities(text.slice(last, at)) });
    const t = m[0];
    if (t.startsWith('**')) out.push({ kind: 'strong', text: decodeEntities(t.slice(2, -2)) });
    else if (t.startsWith('`')) out.push({ kind: 'code', text: t.slice(1, -1) });
    else if (t.startsWith('[')) {
      const close = t.indexOf('](');
      out.push({ kind: 'link', text: decodeEntities(t.slice(1, close)), href: t.slice(close + 2, -1) });
    } else out.push({ kind: 'em', text: decodeEntities(t.slice(1, -1)) });
    last = at + t.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: decodeEntities(text.slice(last)) });
  return out;
}

const HEADING_RE = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET_RE = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED_RE = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', inline: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) body.push(lines[i]);
      blocks.push({ kind: 'code', text: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const h = HEADING_RE.exec(line);
    if (h) {
      flush();
      blocks.push({ kind: 'heading', level: h[1].length as 1 | 2 | 3 | 4 | 5 | 6, inline: parseInline(h[2]) });
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      blocks.push({ kind: 'rule' });
      continue;
    }
    const bullet = BULLET_RE.exec(line);
    const ordered = bullet ? null : ORDERED_RE.exec(line);
    if (bullet || ordered) {
      flush();
      const isOrdered = !bullet;
      const items: Inline[][] = [];
      let current = (bullet ?? ordered)![1];
      for (i++; i <= lines.length; i++) {
        const next = lines[i];
        const b = next === undefined ? null : isOrdered ? ORDERED_RE.exec(next) : BULLET_RE.exec(next);
        if (b) {
          items.push(parseInline(current));
          current = b[1];
        } else if (next !== undefined && next.trim() !== '' && /^\s{2,}\S/.test(next)) {
          current += ` ${next.trim()}`; // a continuation line of the item
        } else {
          items.push(parseInline(current));
          i--;
          break;
        }
      }
      blocks.push({ kind: 'list', ordered: isOrdered, items });
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      blocks.push({ kind: 'quote', inline: parseInline(quote[1]) });
      continue;
    }
    paragraph.push(line.trim());
  }
  flush();
  return blocks;
}
