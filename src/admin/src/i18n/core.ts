/** Shell, sign-in, dashboard, sites and devices. */
export const id: Record<string, string> = {
  'app.title': 'Hadir Hub — konsol',
  'nav.dashboard': 'Ringkasan',
  'nav.devices': 'Kantor & kios',
  'nav.people': 'Pegawai',
  'nav.attendance': 'Kehadiran',
  'nav.leave': 'Cuti & izin',
  'nav.recap': 'Rekap bulanan',
  'nav.audit': 'Log audit',
};

export const en: Record<string, string> = {
  'app.title': 'Hadir Hub — console',
  'nav.dashboard': 'Overview',
  'nav.devices': 'Offices & kiosks',
  'nav.people': 'People',
  'nav.attendance': 'Attendance',
  'nav.leave': 'Leave & permits',
  'nav.recap': 'Monthly recap',
  'nav.audit': 'Audit log',
};
