/**
 * Offices and their kiosks (admin only): each kiosk online or offline, when it was last seen (in words:
 * "3 menit yang lalu"), what is still in its outbox, its app version, model pack, liveness and camera
 * as it last reported them. Per office, pairing a new kiosk: a one-time code, shown large with its
 * time left and as a QR code, and the `hadir join` line to copy. Revoking a kiosk asks first.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DeviceList, DeviceView, PairingCodeView, SiteList } from '../../../shared/hub-admin';
import { api } from '../api';
import { type Lang, useLang, useT, useTPlural } from '../i18n';
import { errorText } from '../lib/errors';
import { formatInstant, formatNumber, formatRelative, formatTimeOf } from '../lib/format';
import { Modal } from '../shell/Modal';
import { QrCode } from '../shell/QrCode';

const REFRESH_MS = 30_000;
/** An outbox this deep means the kiosk has not reached the hub for a while. */
const OUTBOX_WARN = 100;

type Site = SiteList['sites'][number];

export function DevicesScreen(): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const lang = useLang((s) => s.lang);
  const filterId = useId();
  const [sites, setSites] = useState<Site[] | null>(null);
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [site, setSite] = useState('');
  const [showRevoked, setShowRevoked] = useState(false);
  const [pairing, setPairing] = useState<Site | null>(null);
  const [revoking, setRevoking] = useState<DeviceView | null>(null);
  /** What was just done, kept as a key so it follows a change of language. */
  const [notice, setNotice] = useState<{ key: string; vars: Record<string, string> } | null>(null);
  const now = useNow(15_000);

  const load = useCallback(async () => {
    try {
      const [s, d] = await Promise.all([
        api<SiteList>('GET', '/api/v1/hub/sites'),
        api<DeviceList>('GET', '/api/v1/hub/devices'),
      ]);
      setSites(s.sites);
      setDevices(d.devices);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    return () => clearInterval(id);
  }, [load]);

  const groups = useMemo(() => {
    if (!sites || !devices) return [];
    return sites
      .filter((s) => !site || s.code === site)
      .map((s) => ({
        site: s,
        devices: devices
          .filter((d) => d.site.code === s.code && (showRevoked || !d.revoked_at))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }));
  }, [sites, devices, site, showRevoked]);

  const live = devices?.filter((d) => !d.revoked_at) ?? [];
  const online = live.filter((d) => d.online).length;
  const revokedCount = (devices?.length ?? 0) - live.length;

  return (
    <section className="screen devices" aria-labelledby="dev-title" data-testid="screen-devices">
      <header className="screen-header">
        <div>
          <h1 id="dev-title">{t('dev.title')}</h1>
          <p className="note" data-testid="dev-summary">
            {devices
              ? t('dev.summary', {
                  online: formatNumber(online, lang),
                  offline: formatNumber(live.length - online, lang),
                })
              : '\u00a0'}
          </p>
        </div>
        <div className="filters">
          <div className="field">
            <label htmlFor={filterId}>{t('dash.site')}</label>
            <select id={filterId} value={site} onChange={(e) => setSite(e.target.value)} data-testid="dev-site">
              <option value="">{t('dash.allSites')}</option>
              {(sites ?? []).map((s) => (
                <option key={s.code} value={s.code}>
                  {s.name} ({s.code})
                </option>
              ))}
            </select>
          </div>
          <label className="check">
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
            {tp('dev.showRevoked', revokedCount)}
          </label>
        </div>
      </header>
      <div role="status" className={notice ? 'notice' : 'visually-hidden'} data-testid="dev-notice">
        {notice ? t(notice.key, notice.vars) : null}
      </div>
      {error ? (
        <div className="error" role="alert">
          <p>{errorText(error, lang)}</p>
          <button type="button" onClick={() => void load()}>
            {t('common.retry')}
          </button>
        </div>
      ) : null}
      {!devices && !error ? (
        <p className="note" role="status">
          {t('common.loading')}
        </p>
      ) : null}
      {groups.map(({ site: s, devices: list }) => (
        <section key={s.code} className="panel site-devices" aria-labelledby={`site-${s.code}`} data-site={s.code}>
          <div className="panel-head">
            <h2 id={`site-${s.code}`}>
              {s.name} <span className="code">{s.code}</span>
            </h2>
            <span className="note">{tp('dev.peopleAt', s.people)}</span>
            <button
              type="button"
              className="panel-action"
              onClick={() => {
                setNotice(null);
                setPairing(s);
              }}
              data-testid={`pair-${s.code}`}
            >
              {t('dev.pair')}
            </button>
          </div>
          {list.length === 0 ? (
            <p className="note">{t('dev.none')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{t('dev.caption', { site: s.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('dev.col.name')}</th>
                    <th scope="col">{t('dev.col.status')}</th>
                    <th scope="col">{t('dev.col.lastSeen')}</th>
                    <th scope="col" className="num">
                      {t('dev.col.outbox')}
                    </th>
                    <th scope="col">{t('dev.col.version')}</th>
                    <th scope="col">{t('dev.col.pack')}</th>
                    <th scope="col">{t('dev.col.liveness')}</th>
                    <th scope="col">{t('dev.col.camera')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('dev.col.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((d) => (
                    <DeviceRow
                      key={d.id}
                      device={d}
                      now={now}
                      lang={lang}
                      onRevoke={() => {
                        setNotice(null);
                        setRevoking(d);
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
      {pairing ? (
        <PairingDialog
          site={pairing}
          knownDevices={new Set((devices ?? []).map((d) => d.id))}
          onClose={() => {
            setPairing(null);
            void load();
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeDialog
          device={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setNotice({ key: 'dev.revoked', vars: { name: revoking.name, site: revoking.site.name } });
            setRevoking(null);
            void load();
          }}
        />
      ) : null}
    </section>
  );
}

function DeviceRow({
  device: d,
  now,
  lang,
  onRevoke,
}: {
  device: DeviceView;
  now: number;
  lang: Lang;
  onRevoke: () => void;
}): React.JSX.Element {
  const t = useT();
  const status = d.revoked_at ? 'revoked' : d.online ? 'online' : 'offline';
  return (
    <tr data-device={d.id} data-status={status} className={d.revoked_at ? 'row-muted' : undefined}>
      <th scope="row">{d.name}</th>
      <td>
        <span className={`badge badge-${status}`}>
          <span aria-hidden="true" className="dot" />
          {t(`dev.status.${status}`)}
        </span>
      </td>
      <td>
        {d.last_seen_at ? (
          <time dateTime={d.last_seen_at} title={formatInstant(d.last_seen_at, lang)}>
            {formatRelative(d.last_seen_at, now, lang)}
          </time>
        ) : (
          <span className="muted">{t('dev.neverSeen')}</span>
        )}
      </td>
      <td className="num">
        {d.outbox_depth === null ? (
          <span className="muted">{t('dev.unknown')}</span>
        ) : (
          <span className={d.outbox_depth >= OUTBOX_WARN ? 'text-warn' : undefined}>
            {formatNumber(d.outbox_depth, lang)}
          </span>
        )}
      </td>
      <td className="mono">{d.app_version}</td>
      <td className="mono">{d.pack_id}</td>
      <td>
        {d.liveness === null ? (
          <span className="muted">{t('dev.unknown')}</span>
        ) : d.liveness ? (
          t('dev.liveness.on')
        ) : (
          <span className="text-warn">{t('dev.liveness.off')}</span>
        )}
      </td>
      <td>
        {d.camera === null ? (
          <span className="muted">{t('dev.unknown')}</span>
        ) : d.camera === 'ok' ? (
          t('dev.camera.ok')
        ) : d.camera === 'missing' ? (
          <span className="text-bad">{t('dev.camera.missing')}</span>
        ) : (
          <span className="muted">{t('dev.unknown')}</span>
        )}
      </td>
      <td className="actions">
        {d.revoked_at ? (
          <span className="muted">{t('dev.revokedOn', { date: formatInstant(d.revoked_at, lang) })}</span>
        ) : (
          <button
            type="button"
            className="button-ghost button-danger-ghost button-small"
            onClick={onRevoke}
            aria-label={t('dev.revokeLabel', { name: d.name })}
            data-testid={`revoke-${d.id}`}
          >
            {t('dev.revoke')}
          </button>
        )}
      </td>
    </tr>
  );
}

/** The current time in ms, every `intervalMs`. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** Time left, as people say it: "9 menit lagi", "45 detik lagi". */
function timeLeft(ms: number, lang: Lang, tp: (k: string, n: number, v?: Record<string, string | number>) => string) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  // Whole minutes as people round them (9 min 40 s: "10 minutes"); the last minute in seconds.
  return s >= 60 ? tp('dev.pairing.minutesLeft', Math.round(s / 60)) : tp('dev.pairing.secondsLeft', s);
}

function PairingDialog({
  site,
  knownDevices,
  onClose,
}: {
  site: Site;
  knownDevices: Set<string>;
  onClose: () => void;
}): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const lang = useLang((s) => s.lang);
  const [code, setCode] = useState<PairingCodeView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const [joined, setJoined] = useState<DeviceView | null>(null);
  const lineRef = useRef<HTMLElement>(null);
  const known = useRef(knownDevices);
  const now = useNow(1000);

  const make = useCallback(async () => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      setCode(await api<PairingCodeView>('POST', `/api/v1/hub/sites/${encodeURIComponent(site.code)}/pairing-codes`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, [site.code]);

  useEffect(() => {
    void make();
  }, [make]);

  // While the code is on screen, look every few seconds for a kiosk of this office that joined with it.
  useEffect(() => {
    if (!code || joined) return;
    const id = setInterval(() => {
      void api<DeviceList>('GET', `/api/v1/hub/devices?site=${encodeURIComponent(site.code)}`).then(
        (r) => {
          const fresh = r.devices.find((d) => !known.current.has(d.id) && !d.revoked_at);
          if (fresh) setJoined(fresh);
        },
        () => undefined,
      );
    }, 3000);
    return () => clearInterval(id);
  }, [code, joined, site.code]);

  const left = code ? Date.parse(code.expires_at) - now : 0;
  const expired = code !== null && left <= 0;
  const line = code
    ? `hadir join ${code.hub_url} ${code.code}${code.fingerprint ? ` --fingerprint ${code.fingerprint}` : ''}`
    : '';

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(line);
      setCopied(true);
    } catch {
      // No clipboard API (a page over plain HTTP away from localhost): select the line and copy that.
      const el = lineRef.current;
      const selection = window.getSelection();
      if (!el || !selection) return;
      const range = document.createRange();
      range.selectNodeContents(el);
      selection.removeAllRanges();
      selection.addRange(range);
      setCopied(document.execCommand('copy'));
    }
  };

  return (
    <Modal title={t('dev.pairing.title', { site: site.name })} onClose={onClose} testId="pairing-dialog" wide>
      {error ? (
        <div className="error" role="alert">
          <p>{errorText(error, lang, 'save')}</p>
        </div>
      ) : null}
      {joined ? (
        <p className="success" role="status" data-testid="pairing-joined">
          {t('dev.pairing.joined', { name: joined.name })}
        </p>
      ) : null}
      {code ? (
        <div className={expired ? 'pairing pairing-expired' : 'pairing'}>
          <div className="pairing-code-box">
            <p className="note">{t('dev.pairing.lead')}</p>
            <p className="pairing-code" data-testid="pairing-code" aria-label={spell(code.code, t)}>
              {code.code}
            </p>
            <p className={expired ? 'text-bad' : 'note'} aria-live="polite" data-testid="pairing-expiry">
              {expired
                ? t('dev.pairing.expired')
                : t('dev.pairing.validFor', {
                    left: timeLeft(left, lang, tp),
                    time: formatTimeOf(code.expires_at, lang),
                  })}
            </p>
            <div className="command">
              <p className="command-label" id="join-label">
                {t('dev.pairing.commandLabel')}
              </p>
              <div className="copy-row">
                <code ref={lineRef} className="command-line" aria-labelledby="join-label" data-testid="pairing-command">
                  {line}
                </code>
                <button type="button" className="button-ghost" onClick={() => void copy()} disabled={expired}>
                  {t('dev.pairing.copy')}
                </button>
              </div>
              <p className="note" role="status">
                {copied ? t('dev.pairing.copied') : ''}
              </p>
            </div>
          </div>
          <div className="pairing-qr">
            {expired ? (
              <div className="qr-gone" aria-hidden="true" />
            ) : (
              <QrCode text={code.qr_text} size={220} label={t('dev.pairing.qrLabel', { code: code.code })} />
            )}
            <p className="note small">{t('dev.pairing.qrNote')}</p>
          </div>
        </div>
      ) : !error ? (
        <p className="note" role="status">
          {t('common.loading')}
        </p>
      ) : null}
      <div className="dialog-actions">
        {expired || error ? (
          <button type="button" onClick={() => void make()} disabled={busy}>
            {t('dev.pairing.again')}
          </button>
        ) : null}
        <button type="button" className="button-ghost" onClick={onClose} autoFocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}

/** A code read out character by character ("A B C D, E F G H"), for screen readers. */
function spell(code: string, t: (k: string, v?: Record<string, string | number>) => string): string {
  return t('dev.pairing.spoken', {
    code: code
      .split('-')
      .map((p) => p.split('').join(' '))
      .join(', '),
  });
}

function RevokeDialog({
  device,
  onClose,
  onRevoked,
}: {
  device: DeviceView;
  onClose: () => void;
  onRevoked: () => void;
}): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/v1/hub/devices/${encodeURIComponent(device.id)}/revoke`);
      onRevoked();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal
      title={t('dev.revokeTitle', { name: device.name })}
      onClose={onClose}
      role="alertdialog"
      testId="revoke-dialog"
    >
      <p>{t('dev.revokeText', { name: device.name, site: device.site.name })}</p>
      {error ? (
        <div className="error" role="alert">
          <p>{errorText(error, lang, 'save')}</p>
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button-ghost" onClick={onClose} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="button-danger" onClick={() => void revoke()} disabled={busy}>
          {t('dev.revokeConfirm')}
        </button>
      </div>
    </Modal>
  );
}
