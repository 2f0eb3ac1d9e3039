/**
 * "Are you sure?" with the consequence spelled out, on the shell's modal (focus kept inside, Escape
 * closes, focus back to the opener): the safe choice has the focus, the dangerous one says what it does.
 */
import type { ReactNode } from 'react';
import { useT } from '../i18n';
import { Modal } from '../shell/Modal';

export function ConfirmDialog(props: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  busy?: boolean;
  /** What went wrong with the last try, shown above the buttons. */
  error?: ReactNode;
  testId?: string;
}) {
  const t = useT();
  return (
    <Modal title={props.title} onClose={props.onCancel} role="alertdialog" testId={props.testId}>
      <div className="rc-dialog-body">{props.message}</div>
      {props.error}
      <div className="dialog-actions">
        <button type="button" className="button-ghost" onClick={props.onCancel} autoFocus>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className={props.danger ? 'button-danger' : undefined}
          onClick={props.onConfirm}
          disabled={props.busy}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
