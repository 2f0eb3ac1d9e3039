/**
 * The filters every list shares: the sites the operator may see (GET /api/v1/hub/sites, asked once per
 * page load), a unit, and a date range (typed in the console's language). Each field has a visible label.
 */
import { useEffect, useId, useState } from 'react';
import type { SiteList } from '../../../shared/hub-admin';
import { api } from '../api';
import { useT } from '../i18n';
import { useSession } from '../session';
import { DateField } from './DateField';

/** The sites of the operator they were asked for (another operator signing in asks again). */
let sitesAsked: { operator: string; sites: Promise<SiteList['sites']> } | null = null;

/** The operator's sites, for filters and each site's time zone; [] until known. */
export function useSites(): SiteList['sites'] {
  const operator = useSession((s) => (s.state.status === 'signed-in' ? s.state.session.operator.username : ''));
  const [sites, setSites] = useState<SiteList['sites']>([]);
  useEffect(() => {
    let live = true;
    if (sitesAsked?.operator !== operator) {
      const asked = {
        operator,
        sites: api<SiteList>('GET', '/api/v1/hub/sites').then(
          (r) => r.sites,
          () => {
            if (sitesAsked === asked) sitesAsked = null; // asked again by the next screen
            return [];
          },
        ),
      };
      sitesAsked = asked;
    }
    void sitesAsked.sites.then((s) => live && setSites(s));
    return () => {
      live = false;
    };
  }, [operator]);
  return sites;
}

export function SiteSelect(props: { value: string; onChange: (site: string) => void }) {
  const t = useT();
  const id = useId();
  const sites = useSites();
  // An operator with one site sees just it: "all sites" would mean the same.
  const only = sites.length === 1;
  return (
    <div className="field">
      <label htmlFor={id}>{t('rec.filter.site')}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)} name="site">
        {only ? null : <option value="">{t('rec.filter.all_sites')}</option>}
        {sites.map((s) => (
          <option key={s.code} value={s.code}>
            {s.name} ({s.code})
          </option>
        ))}
      </select>
    </div>
  );
}

export function UnitInput(props: { value: string; onChange: (unit: string) => void }) {
  const t = useT();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{t('rec.filter.unit')}</label>
      <input
        id={id}
        type="search"
        name="unit"
        value={props.value}
        placeholder={t('rec.filter.unit_placeholder')}
        onChange={(e) => props.onChange(e.target.value)}
        maxLength={200}
        autoComplete="off"
      />
    </div>
  );
}

export function DateRangeField(props: {
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
  /** The id of the message saying what is wrong with the range, for aria-describedby. */
  errorId?: string;
  invalid?: boolean;
  /** Either end may be left empty (no bound), as in the audit log. */
  optional?: boolean;
}) {
  const t = useT();
  // No min/max between the two: the screen says what is wrong with a reversed or too long period, so
  // either end may be moved first.
  return (
    <fieldset className="rc-range">
      <legend>{t('rec.filter.period')}</legend>
      <DateField
        label={t('rec.filter.from')}
        value={props.from}
        required={!props.optional}
        clearable={props.optional}
        invalid={props.invalid}
        describedBy={props.errorId}
        onChange={(from) => props.onChange(from, props.to)}
        testId="filter-from"
      />
      <DateField
        label={t('rec.filter.to')}
        value={props.to}
        required={!props.optional}
        clearable={props.optional}
        invalid={props.invalid}
        describedBy={props.errorId}
        onChange={(to) => props.onChange(props.from, to)}
        testId="filter-to"
      />
    </fieldset>
  );
}

/** A screen the operator's role may not open: said plainly instead of an empty table. */
export function NotPermitted(props: { what: string }) {
  return (
    <p className="notice" role="status">
      {props.what}
    </p>
  );
}
