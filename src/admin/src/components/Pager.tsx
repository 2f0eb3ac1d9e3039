/** Page through a server-paginated list: "1–50 dari 10.000", previous and next. */
import { useT } from '../i18n';
import { useFormat } from './format';

export function Pager(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  /** What the list is, for the navigation's label ("Halaman pegawai"). */
  label: string;
  busy?: boolean;
}) {
  const t = useT();
  const f = useFormat();
  const { page, pageSize, total } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  if (total === 0) {
    return (
      <p className="rc-pager rc-pager-range" aria-live="polite" data-testid="pager-range">
        {t('rec.pager.none')}
      </p>
    );
  }
  return (
    <nav className="rc-pager" aria-label={props.label}>
      <span className="rc-pager-range" aria-live="polite" data-testid="pager-range">
        {t('rec.pager.range', { first: f.number(first), last: f.number(last), total: f.number(total) })}
      </span>
      <button
        type="button"
        className="button-ghost"
        onClick={() => props.onPage(page - 1)}
        disabled={page <= 1 || props.busy}
      >
        {t('rec.pager.previous')}
      </button>
      <span className="rc-pager-page">
        {t('rec.pager.page', { page: f.number(Math.min(page, pages)), pages: f.number(pages) })}
      </span>
      <button
        type="button"
        className="button-ghost"
        onClick={() => props.onPage(page + 1)}
        disabled={page >= pages || props.busy}
      >
        {t('rec.pager.next')}
      </button>
    </nav>
  );
}
