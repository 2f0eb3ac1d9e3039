import type { ReactNode } from 'react';

interface Props {
  tone: 'info' | 'warning' | 'error';
  title: string;
  detail?: string | null;
  /** Technical detail for the operator, shown small. */
  technical?: string | null;
  children?: ReactNode;
  testId?: string;
}

/** A screen-filling message: the kiosk is never blank, whatever is wrong. */
export function FullScreenState({ tone, title, detail, technical, children, testId }: Props): React.JSX.Element {
  return (
    <section
      className={`full-state full-state-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <div className="full-state-icon" aria-hidden="true">
        {tone === 'info' ? '⏳' : tone === 'warning' ? '⚠' : '✕'}
      </div>
      <h1>{title}</h1>
      {detail && <p className="full-state-detail">{detail}</p>}
      {children && <div className="full-state-actions">{children}</div>}
      {technical && <p className="full-state-technical">{technical}</p>}
    </section>
  );
}
