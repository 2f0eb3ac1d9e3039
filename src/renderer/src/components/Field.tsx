import type { ReactNode } from 'react';

/**
 * A labelled form control. The label wraps the control (so no ids are needed); the hint sits outside
 * the label, so it is not read as part of the control's name.
 */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <div className="field">
      <label className="field-control">
        <span className="field-label">{label}</span>
        {children}
      </label>
      {hint && <small className="field-hint">{hint}</small>}
    </div>
  );
}
