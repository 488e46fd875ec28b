import { LIMITS, type MessageView } from '../../src/shared/protocol';
import { when } from '../format';
import { Button } from '../ui/Button';
import { TextArea } from '../ui/TextArea';

export function ConversationTab(props: {
  messages: MessageView[];
  draft: string;
  posting: boolean;
  error?: string;
  readOnly?: string;
  onDraft(text: string): void;
  onPost(): void;
}) {
  const empty = props.draft.trim() === '';
  const tooLong = props.draft.length > LIMITS.messageText;
  const disabled = props.posting || !!props.readOnly;
  const submit = () => {
    if (!empty && !tooLong && !disabled) props.onPost();
  };
  return (
    <div className="tab-body" id="conversation">
      {props.messages.length ? (
        <ol className="thread" id="conversation-thread">
          {props.messages.map((m) => (
            <li key={m.id} className="message" data-message-id={m.id}>
              <div className="message-meta">
                <span className="author">{m.author}</span>
                <time dateTime={m.at}>{when(m.at)}</time>
              </div>
              <div className="message-text prewrap">{m.text}</div>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted" id="conversation-thread">
          No messages yet. Decisions, go/no-go calls and links belong here, next to the release.
        </p>
      )}
      <div className="composer">
        <TextArea
          id="conversation-input"
          value={props.draft}
          onChange={props.onDraft}
          onSubmit={submit}
          placeholder="Write a message (Ctrl+Enter to post)"
          rows={3}
          disabled={disabled}
        />
        <div className="composer-actions">
          <Button id="conversation-post" disabled={empty || tooLong || disabled} onClick={submit}>
            {props.posting ? 'Posting…' : 'Post'}
          </Button>
          {tooLong ? <span className="error">{`${props.draft.length} characters; the limit is ${LIMITS.messageText}`}</span> : null}
        </div>
        {props.error ? (
          <p className="error" role="alert" id="conversation-error">
            {props.error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
