/**
 * A modal dialog on the browser's own <dialog>: focus moves into it and stays there, Escape closes it,
 * and focus returns to what opened it when it closes.
 */
import { useEffect, useId, useRef } from 'react';

export function Modal({
  title,
  onClose,
  children,
  testId,
  wide = false,
  role,
}: {
  title: string;
  onClose: () => void;
  children: React.ReactNode;
  testId?: string;
  wide?: boolean;
  /** 'alertdialog' for a confirmation. */
  role?: 'alertdialog';
}): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      opener?.focus?.();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      role={role}
      data-testid={testId}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
