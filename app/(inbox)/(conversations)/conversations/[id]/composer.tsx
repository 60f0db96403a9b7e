'use client';
import { Clock, LayoutTemplate, Paperclip, Send, X } from 'lucide-react';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { postTyping } from '@/app/_components/api/use-outbox';
import { EmojiPicker } from '@/app/_components/emoji-picker';
import { typingReply } from '@/app/_components/presence-beacon';
import { PreviewLine } from '@/app/_components/icon';
import { Button } from '@/app/_components/ui/button';
import type { ApiMessage, GetConversationResponse } from '@/lib/contracts/inbox';
import { previewOfMessage } from '@/lib/inbox/message-view';
import type { ServiceWindowView } from '@/lib/inbox/service-window-view';
import { TEXT_MAX_CHARS } from '@/lib/whatsapp/send-requests';
import { AttachmentPanel } from './attachment-panel';
import { useCannedReplyPicker } from './canned-reply-picker';
import { CollisionWarning, useCollisionGuard } from './collision-warning';
import { type ComposerMode, ComposerModeSwitch, NoteComposer } from './note-composer';
import { TemplatePicker } from './template-picker';
import { useSend } from './use-send';

// Under the thread: what the agent writes. Text (Enter sends, Shift+Enter a new line), a file with its
// caption, an emoji, a quoted reply, or (always, and alone once the 24-hour window has closed) a
// template. What it sends appears in the thread at once from the server's 202 answer (onSent).

/** The customer sees "typing…" for about 25 s; once per 20 s keeps it up without flooding Meta. */
const TYPING_EVERY_MS = 20_000;

export interface ComposerProps {
  conversationId: string;
  conversation: GetConversationResponse;
  /** The 24-hour window now (useServiceWindow: it closes on screen when it closes). */
  serviceWindow: ServiceWindowView;
  replyTo: ApiMessage | null;
  onCancelReply: () => void;
  /** A file dropped on the thread, to attach. */
  droppedFile: File | null;
  onDroppedFileTaken: () => void;
  onSent: (message: ApiMessage) => void;
}

export function Composer(props: ComposerProps) {
  const { conversation, serviceWindow: window } = props;
  const [templatesOpen, setTemplatesOpen] = useState(false);
  // Kept here, not in the text box: a draft outlives the window closing under the agent's hands.
  const [draft, setDraft] = useState('');
  // Note mode: a private note, whatever the window and whether sending is on (note-composer.tsx).
  const [mode, setMode] = useState<ComposerMode>('reply');
  if (mode === 'note') return <NoteComposer conversationId={props.conversationId} onModeChange={setMode} />;
  const modeSwitch = <ComposerModeSwitch mode="reply" onChange={setMode} />;

  if (!conversation.sendingEnabled) {
    return (
      <div data-testid="composer" className="shrink-0 border-t border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
        {modeSwitch}
        <p role="note">
          Replying is off: this inbox has no WhatsApp access token. An admin needs to set <code>WHATSAPP_ACCESS_TOKEN</code> and restart
          Ticks.
        </p>
      </div>
    );
  }

  const templatePicker = templatesOpen && (
    <TemplatePicker
      conversationId={props.conversationId}
      conversation={conversation}
      onClose={() => setTemplatesOpen(false)}
      onSent={(message) => {
        setTemplatesOpen(false);
        props.onSent(message);
      }}
    />
  );

  if (window.state === 'closed') {
    return (
      <div data-testid="composer" className="shrink-0 border-t border-slate-200 bg-white px-4 py-3 text-sm">
        {modeSwitch}
        {templatePicker}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p data-testid="service-window" data-state="closed" className="flex items-center gap-1.5 text-slate-700">
            <Clock className="size-4 shrink-0 text-amber-600" aria-hidden="true" />
            {window.text}
          </p>
          <Button variant="primary" onClick={() => setTemplatesOpen(true)} aria-haspopup="dialog">
            <LayoutTemplate className="mr-1 inline size-4 align-[-0.2em]" aria-hidden="true" />
            Send a template
          </Button>
        </div>
        {draft.trim() !== '' && <UnsentDraft draft={draft} onDiscard={() => setDraft('')} />}
      </div>
    );
  }

  return (
    <div data-testid="composer" className="shrink-0 border-t border-slate-200 bg-slate-50 px-3 py-2">
      {modeSwitch}
      {templatePicker}
      <p data-testid="service-window" data-state="open" className="mb-1 flex items-center gap-1 text-xs text-slate-500">
        <Clock className="size-3.5 shrink-0" aria-hidden="true" />
        <span title={`The customer's 24-hour window: free-form messages until ${new Date(window.closesAt).toLocaleString()}`}>
          {window.text}
        </span>
      </p>
      <FreeFormComposer {...props} text={draft} setText={setDraft} onTemplates={() => setTemplatesOpen(true)} />
    </div>
  );
}

function FreeFormComposer({
  conversationId,
  conversation,
  serviceWindow,
  replyTo,
  onCancelReply,
  droppedFile,
  onDroppedFileTaken,
  onSent,
  onTemplates,
  text,
  setText,
}: ComposerProps & { onTemplates: () => void; text: string; setText: (text: string) => void }) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const { send, sending, error, clearError } = useSend(conversationId, onSent);
  const typed = useTypingIndicator(conversationId);
  const collision = useCollisionGuard();
  const [attaching, setAttaching] = useState<File | null>(null);
  const cannedReplies = useCannedReplyPicker({ text, setText, textarea, conversation, enabled: serviceWindow.state === 'open' });

  // A file dropped on the thread becomes the attachment.
  useEffect(() => {
    if (!droppedFile) return;
    setAttaching(droppedFile);
    onDroppedFileTaken();
  }, [droppedFile, onDroppedFileTaken]);

  // Replying: the agent writes next.
  useEffect(() => {
    if (replyTo) textarea.current?.focus();
  }, [replyTo]);

  // What "Send anyway" sends: the text, or the attachment whose Send raised the warning.
  const sendAnyway = useRef<() => void>(() => {});
  /** Someone else answered meanwhile: true after showing it (the draft stays); `send` is what Send anyway does. */
  const warnFirst = (send: () => void) => {
    if (!collision.mustWarn()) return false;
    sendAnyway.current = send;
    return true;
  };

  const submit = async (anyway = false) => {
    if (text.trim() === '' || sending) return;
    if (!anyway && warnFirst(() => void submit(true))) return;
    const accepted = await send({ type: 'text', text, ...(replyTo ? { replyToId: replyTo.id } : {}) });
    if (!accepted) return;
    collision.acknowledge();
    typingReply(false);
    setText('');
    onCancelReply();
    textarea.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (cannedReplies.onKeyDown(event)) return;
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  };

  const insertEmoji = (emoji: string) => {
    const el = textarea.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  return (
    <>
      {replyTo && <ReplyPreview message={replyTo} onCancel={onCancelReply} />}
      {attaching && (
        <AttachmentPanel
          file={attaching}
          replyTo={replyTo}
          send={send}
          sending={sending}
          warnFirst={warnFirst}
          onCancel={() => setAttaching(null)}
          onSent={() => {
            setAttaching(null);
            onCancelReply();
          }}
        />
      )}
      {cannedReplies.list}
      {collision.warning && (
        <CollisionWarning messages={collision.warning} onSendAnyway={() => sendAnyway.current()} onCancel={collision.acknowledge} />
      )}
      <form
        className="flex items-end gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <EmojiPicker label="Emoji" onPick={insertEmoji} />
        <AttachButton onFile={(file) => setAttaching(file)} />
        <button
          type="button"
          aria-label="Template"
          title="Template"
          onClick={onTemplates}
          aria-haspopup="dialog"
          className="rounded-full p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
        >
          <LayoutTemplate className="size-5" aria-hidden="true" />
        </button>
        <textarea
          ref={textarea}
          aria-label="Message"
          data-shortcut="reply"
          placeholder="Type a message"
          rows={1}
          value={text}
          maxLength={TEXT_MAX_CHARS}
          onChange={(event) => {
            setText(event.target.value);
            if (error) clearError();
            if (event.target.value.trim() !== '') typed();
            typingReply(event.target.value.trim() !== '');
          }}
          onKeyDown={onKeyDown}
          {...cannedReplies.inputProps}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm [field-sizing:content] focus:border-emerald-500 focus:ring-2 focus:ring-emerald-200 focus:outline-none"
        />
        <button
          type="submit"
          disabled={sending || text.trim() === ''}
          className="inline-flex items-center gap-1 rounded-full bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none disabled:opacity-50"
        >
          <Send className="size-4" aria-hidden="true" />
          Send
        </button>
      </form>
      {error && !attaching && (
        <p role="alert" data-testid="composer-error" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </>
  );
}

function ReplyPreview({ message, onCancel }: { message: ApiMessage; onCancel: () => void }) {
  const fromUs = message.direction === 'outbound';
  return (
    <div
      data-testid="reply-preview"
      className={`mb-2 flex items-start gap-2 rounded-md border-l-4 bg-white px-3 py-1.5 text-xs shadow-sm ${
        fromUs ? 'border-emerald-500' : 'border-sky-500'
      }`}
    >
      <div className="min-w-0 flex-1">
        <p className={`font-medium ${fromUs ? 'text-emerald-700' : 'text-sky-700'}`}>
          Replying to {fromUs ? 'yourself' : (message.contact.name ?? 'the customer')}
        </p>
        <p className="line-clamp-2 break-words text-slate-600">
          <PreviewLine preview={previewOfMessage(message)} />
        </p>
      </div>
      <button
        type="button"
        aria-label="Cancel reply"
        onClick={onCancel}
        className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
      >
        <X className="size-4" aria-hidden="true" />
      </button>
    </div>
  );
}

function AttachButton({ onFile }: { onFile: (file: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        aria-label="Attach"
        title="Attach a file"
        onClick={() => input.current?.click()}
        className="rounded-full p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus-visible:ring-2 focus-visible:ring-emerald-300 focus-visible:outline-none"
      >
        <Paperclip className="size-5" aria-hidden="true" />
      </button>
      <input
        ref={input}
        type="file"
        data-testid="attach-input"
        className="hidden"
        tabIndex={-1}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) onFile(file);
          event.target.value = '';
        }}
      />
    </>
  );
}

/** What the agent was writing when the window closed: kept to copy (into a template's values, say) or discard. */
function UnsentDraft({ draft, onDiscard }: { draft: string; onDiscard: () => void }) {
  return (
    <div data-testid="unsent-draft" className="mt-2 rounded-md border border-amber-200 bg-amber-50 p-2">
      <p className="mb-1 text-xs text-amber-900">Not sent: the window closed while you were writing. Your draft is kept here to copy.</p>
      <textarea
        aria-label="Unsent draft"
        readOnly
        value={draft}
        rows={Math.min(6, draft.split('\n').length)}
        className="w-full resize-none rounded border border-amber-200 bg-white px-2 py-1 text-sm text-slate-700"
      />
      <div className="mt-1 text-right">
        <Button onClick={onDiscard}>Discard draft</Button>
      </div>
    </div>
  );
}

/**
 * `typed()` on each keystroke shows the customer the typing indicator, at most once per 20 s, only while
 * this composer is on screen and the tab visible: never after the agent has left.
 */
function useTypingIndicator(conversationId: string): () => void {
  const last = useRef(0);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return () => {
    if (!mounted.current || document.visibilityState === 'hidden') return;
    const now = Date.now();
    if (now - last.current < TYPING_EVERY_MS) return;
    last.current = now;
    postTyping(conversationId).catch(() => {});
  };
}
