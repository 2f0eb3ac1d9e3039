import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * A modal form over the screen (the look of the kiosk's PIN dialog: `.modal-backdrop`, `.panel.modal`):
 * labelled by its title, Escape or the backdrop closes it, focus moves into it when it opens and back
 * to what had it when it closes, and Tab stays inside while it is open.
 */
export function Dialog({
  title,
  onClose,
  onSubmit,
  testId,
  danger = false,
  children,
}: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  testId?: string;
  /** A destructive action: drawn as the delete confirmation is. */
  danger?: boolean;
  children: ReactNode;
}): React.JSX.Element {
  const titleId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const form = formRef.current;
    const first = form?.querySelector<HTMLElement>('input, select, textarea, button');
    (first ?? form)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== 'Tab' || !form) return;
      const focusable = [
        ...form.querySelectorAll<HTMLElement>('input, select, textarea, button, [tabindex="0"]'),
      ].filter((el) => !(el as HTMLButtonElement).disabled);
      if (focusable.length === 0) return;
      const [head, tail] = [focusable[0], focusable[focusable.length - 1]];
      if (e.shiftKey && document.activeElement === head) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && document.activeElement === tail) {
        e.preventDefault();
        head.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, []);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit();
  };

  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <form
        ref={formRef}
        className={`panel modal modal-wide${danger ? ' panel-danger' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onSubmit={submit}
        data-testid={testId}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </form>
    </div>
  );
}
