// The Notes tab: the release notes stored on the release, rendered from Markdown as text (no HTML
// from the notes reaches the page), with Generate (from git; the host asks before replacing stored
// notes), Edit (a Markdown editor beside the dashboard; Ctrl+S stores) and Export (a .md file).
import type { ReleaseStatusView } from '../../src/shared/protocol';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';
import { MarkdownView } from './MarkdownView';

export interface NotesTabProps {
  notes?: string;
  status: ReleaseStatusView;
  readOnly?: string;
  busy: boolean;
  error?: string;
  onGenerate(): void;
  onEdit(): void;
  onExport(): void;
}

export function NotesTab(props: NotesTabProps) {
  const cancelled = props.status === 'cancelled';
  const cannotChange = props.readOnly ?? (cancelled ? 'A cancelled release cannot change.' : undefined);
  const has = !!props.notes && props.notes.trim() !== '';
  return (
    <div className="tab-body" id="notes">
      <div className="section-title">
        <h2 id="notes-heading">Release notes</h2>
        <Button id="notes-generate" secondary={has} disabled={props.busy || !!cannotChange} title={cannotChange ?? 'From git history since the previous release tag, grouped by conventional-commit type and by service'} onClick={props.onGenerate}>
          {has ? 'Regenerate from git…' : 'Generate from git'}
        </Button>
        <Button id="notes-edit" secondary disabled={props.busy || !!cannotChange} title={cannotChange ?? 'Opens the notes in a Markdown editor beside the dashboard; Ctrl+S stores them'} onClick={props.onEdit}>
          Edit
        </Button>
        <Button id="notes-export" secondary disabled={props.busy || !has} title={has ? 'Writes the notes to a Markdown file' : 'Nothing to export yet'} onClick={props.onExport}>
          Export Markdown…
        </Button>
        {props.busy ? <Spinner label="Working on the notes" /> : null}
      </div>
      {props.error ? (
        <p className="error" role="alert" id="notes-error">
          {props.error}
        </p>
      ) : null}
      {has ? (
        <MarkdownView id="notes-content" text={props.notes!} />
      ) : (
        <p className="muted" id="notes-content">
          No release notes yet. Generate them from the git history since the previous release's tag — breaking changes first, then features, fixes and
          the rest, each by service — or write them yourself with Edit.
        </p>
      )}
    </div>
  );
}
