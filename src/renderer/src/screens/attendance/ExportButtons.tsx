import { useState } from 'react';
import type { AttendanceFilter, ExportFormat } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { saveDownload } from '../../lib/download';
import { useLanguage, useT } from '../../state/language';

/**
 * The attendance export buttons. The file speaks the interface language (headers, yes/no, sheet names);
 * "English headers" is for office software or scripts that expect the English columns.
 */
export function ExportButtons({
  filter,
  onError,
}: {
  filter: AttendanceFilter;
  onError: (e: ErrorInfo | null) => void;
}): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const [english, setEnglish] = useState(false);
  const [exporting, setExporting] = useState(false);

  const doExport = async (format: ExportFormat): Promise<void> => {
    setExporting(true);
    const r = await api().exportAttendance({ ...filter, format, lang: english ? 'en' : language });
    setExporting(false);
    if (r.ok) saveDownload(r.value);
    else onError(r.error);
  };

  return (
    <>
      <button type="button" disabled={exporting} onClick={() => void doExport('csv')} data-testid="export-csv">
        {t('attendance.exportCsv')}
      </button>
      <button type="button" disabled={exporting} onClick={() => void doExport('xlsx')} data-testid="export-xlsx">
        {t('attendance.exportXlsx')}
      </button>
      {/* Pointless when the interface is already English: the file is English then. */}
      {language !== 'en' && (
        <label className="checkbox checkbox-small">
          <input
            type="checkbox"
            checked={english}
            onChange={(e) => setEnglish(e.target.checked)}
            data-testid="export-english"
          />
          {t('attendance.exportEnglish')}
        </label>
      )}
    </>
  );
}
