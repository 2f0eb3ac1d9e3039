/**
 * The people screen's photo import: choose the home site and a zip, upload it (the hub unpacks and
 * plans it while the request waits, so a bad archive is told at once), then watch the import the hub
 * runs in the background — polled once a second — end at its counts and each rejection's reasons in
 * the interface language (the enrollment's codes translated; the hub's English sentence where there is
 * no code). Closing the dialog does not stop the import.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ImportRejectionView, ImportView } from '../../../shared/hub-admin';
import { api, ApiError } from '../api';
import { dictionaries, localeOf, useLang, useT } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { useSites } from '../components/Filters';
import { Modal } from '../shell/Modal';
import './PeopleImport.css';

/** The hub's limit on an upload (photo-zip.ts), told before a person waits for a refusal. */
const MAX_MB = 200;
const POLL_MS = 1000;

type Step = { kind: 'choose' } | { kind: 'uploading' } | { kind: 'watching'; id: string };

export function PeopleImportDialog(props: { onClose: () => void; onFinished: () => void }) {
  const t = useT();
  const sites = useSites();
  const siteId = useId();
  const fileId = useId();
  const layoutId = useId();
  const [site, setSite] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [error, setError] = useState<ApiError | null>(null);
  const [missingFile, setMissingFile] = useState(false);
  const [view, setView] = useState<ImportView | null>(null);
  const chosenSite = site || sites[0]?.code || '';

  const start = async () => {
    if (!file) {
      setMissingFile(true);
      return;
    }
    setError(null);
    setView(null);
    setStep({ kind: 'uploading' });
    try {
      const r = await api<{ id: string }>('POST', `/api/v1/hub/imports?site=${encodeURIComponent(chosenSite)}`, file, {
        type: 'application/zip',
      });
      setStep({ kind: 'watching', id: r.id });
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', String(e), null));
      setStep({ kind: 'choose' });
    }
  };

  const id = step.kind === 'watching' ? step.id : null;
  const finished = view !== null && view.state !== 'running';
  // The latest callback, without restarting the polling when the screen re-renders.
  const onFinished = useRef(props.onFinished);
  onFinished.current = props.onFinished;
  useEffect(() => {
    if (id === null) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const v = await api<ImportView>('GET', `/api/v1/hub/imports/${id}`);
        if (!live) return;
        setView(v);
        if (v.state !== 'running') {
          onFinished.current();
          return;
        }
      } catch (e) {
        // A lost answer is asked again; the import goes on at the hub either way.
        if (live && e instanceof ApiError && e.status !== 0 && e.status < 500) {
          setError(e);
          return;
        }
      }
      if (live) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id]);

  return (
    <Modal title={t('import.title')} onClose={props.onClose} wide testId="import-dialog">
      {step.kind === 'watching' ? (
        <Progress view={view} />
      ) : (
        <form
          className="rc-form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <div className="rc-form-row">
            <div className="field">
              <label htmlFor={siteId}>{t('import.site')}</label>
              <select id={siteId} value={chosenSite} onChange={(e) => setSite(e.target.value)} name="site" required>
                {sites.map((s) => (
                  <option key={s.code} value={s.code}>
                    {s.name} ({s.code})
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={fileId}>{t('import.file')}</label>
              <input
                id={fileId}
                type="file"
                name="zip"
                accept=".zip,application/zip,application/x-zip-compressed"
                aria-describedby={layoutId}
                aria-invalid={missingFile || undefined}
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  setMissingFile(false);
                  setError(null);
                }}
              />
            </div>
          </div>
          <div id={layoutId}>
            <p className="field-hint">{t('import.layout')}</p>
            <p className="field-hint">{t('import.limit', { mb: MAX_MB })}</p>
          </div>
          {missingFile ? (
            <p className="field-error" role="alert">
              {t('import.choose_file')}
            </p>
          ) : null}
          {step.kind === 'uploading' ? (
            <div className="imp-progress" role="status">
              <progress aria-label={t('import.uploading')} />
              <span>{t('import.uploading')}</span>
            </div>
          ) : null}
          <UploadError error={error} />
          <div className="dialog-actions">
            <button type="button" className="button-ghost" onClick={props.onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" disabled={step.kind === 'uploading' || !chosenSite}>
              {t('import.start')}
            </button>
          </div>
        </form>
      )}
      {step.kind === 'watching' ? (
        <>
          <UploadError error={error} />
          <div className="dialog-actions">
            {finished ? (
              <button
                type="button"
                className="button-ghost"
                onClick={() => {
                  setFile(null);
                  setView(null);
                  setStep({ kind: 'choose' });
                }}
              >
                {t('import.another')}
              </button>
            ) : null}
            <button type="button" onClick={props.onClose} autoFocus>
              {t('import.close')}
            </button>
          </div>
        </>
      ) : null}
    </Modal>
  );
}

/** A refusal of the archive in words, by the hub's reason (not_a_zip, zip_unsafe_path…) where it gave one. */
function UploadError(props: { error: ApiError | null }) {
  const t = useT();
  const e = props.error;
  if (!e) return null;
  const key = e.reason ? `import.error.${e.reason}` : null;
  if (key && dictionaries.id[key]) {
    return (
      <div className="error" role="alert" data-code={e.code} data-reason={e.reason}>
        <p>{t(key)}</p>
      </div>
    );
  }
  return <ErrorNote error={e} context="import" action="save" />;
}

function Progress(props: { view: ImportView | null }) {
  const t = useT();
  const labelId = useId();
  const v = props.view;
  const done = v?.done ?? 0;
  const total = v?.total ?? 0;
  const said = t('import.progress', { done, total });
  return (
    <div className="imp-watch" data-testid="import-progress" data-state={v?.state ?? 'starting'}>
      <div className="imp-progress">
        <span id={labelId} className="imp-progress-label">
          {t('import.progress_label')}
        </span>
        {/* Indeterminate until the first answer; then done of total. */}
        {v ? (
          <progress aria-labelledby={labelId} aria-valuetext={said} max={Math.max(total, 1)} value={done} />
        ) : (
          <progress aria-labelledby={labelId} />
        )}
        <span role="status" aria-live="polite" data-testid="import-progress-text">
          {v ? said : t('common.loading')}
        </span>
      </div>
      {v?.state === 'running' ? <p className="field-hint">{t('import.running_note')}</p> : null}
      {v && v.state !== 'running' ? <Outcome view={v} /> : null}
    </div>
  );
}

function Outcome(props: { view: ImportView }) {
  const t = useT();
  const v = props.view;
  const counts: [string, number][] = [
    ['enrolled', v.enrolled],
    ['skipped', v.skipped],
    ['rejected', v.rejected],
    ['failed', v.failed],
  ];
  return (
    <div className="imp-outcome">
      {v.state === 'done' ? (
        <p className="success" role="status">
          {t('import.done')}
        </p>
      ) : (
        <div className="error" role="alert">
          <p>{t('import.stopped', { error: v.error ?? '' })}</p>
        </div>
      )}
      <dl className="imp-counts" data-testid="import-counts">
        {counts.map(([k, n]) => (
          <div key={k} className={`imp-count imp-count-${k}`} data-count={k}>
            <dt>{t(`import.count.${k}`)}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      {v.rejections.length > 0 ? (
        <section aria-labelledby="imp-rejections-title">
          <h3 id="imp-rejections-title" className="imp-subtitle">
            {t('import.rejections')}
          </h3>
          <ul className="imp-list" data-testid="import-rejections">
            {v.rejections.map((r) => (
              <Rejection key={r.employee_number} r={r} />
            ))}
          </ul>
          {v.rejected > v.rejections.length ? <p className="field-hint">{t('import.more_rejections')}</p> : null}
        </section>
      ) : null}
      {v.failures.length > 0 ? (
        <section aria-labelledby="imp-failures-title">
          <h3 id="imp-failures-title" className="imp-subtitle">
            {t('import.failures')}
          </h3>
          <ul className="imp-list">
            {v.failures.map((f) => (
              <li key={f.employee_number}>
                <span className="mono">{f.employee_number}</span>: {f.error}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {v.problems.length > 0 ? (
        <details className="imp-problems">
          <summary>{t('import.problems')}</summary>
          <ul className="imp-list">
            {v.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function Rejection(props: { r: ImportRejectionView }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const num = (n: number) => new Intl.NumberFormat(localeOf(lang)).format(n);
  const r = props.r;
  const key = r.code ? `import.refusal.${r.code}` : null;
  const why = key && dictionaries.id[key] ? t(key) : r.reason;
  const check = (c: ImportRejectionView['photos'][number]['checks'][number]) => {
    const k = `import.check.${c.code}`;
    const name = dictionaries.id[k] ? t(k) : c.code;
    return c.value !== undefined && c.limit !== undefined
      ? t('import.check.measured', { check: name, value: num(c.value), limit: num(c.limit) })
      : name;
  };
  return (
    <li data-nip={r.employee_number} title={r.reason}>
      <span className="mono">{r.employee_number}</span>: {why}
      {r.photos.length > 0 ? (
        <ul className="imp-photos">
          {r.photos.map((p, i) => (
            <li key={`${p.file}-${i}`}>
              <span className="mono">{p.file}</span>: {p.checks.map(check).join(', ')}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
