/** The help of `hadir hub`, shown by the dispatcher and by every subcommand's usage error. */
export const HUB_HELP = `usage: hadir hub [serve] [--legacy [--legacy-antispoof[-port N]]] [--uploads-dir DIR]
                 [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--pack ID] [--no-face]
                                             migrate the database, then serve kiosks and the face API (default)
       hadir hub migrate                     bring the database schema up to date
       hadir hub site add CODE --name NAME --tz ZONE
       hadir hub site schedule CODE --file schedule.json | --clear
       hadir hub site holiday CODE --date YYYY-MM-DD --name NAME
       hadir hub site list [--json]
       hadir hub pair SITE [--json]           a one-time code for a kiosk to join with (10 minutes)
       hadir hub devices [--json]             the kiosks, their site and when they were last seen
       hadir hub devices revoke ID            shut a kiosk out at its next request
       hadir hub people [--site CODE] [--json]
       hadir hub people add NUMBER --name NAME --site CODE [--unit UNIT] [--also-site CODE]...
       hadir hub people delete NUMBER         with templates, consents and leave, at every kiosk
       hadir hub import --site CODE FOLDER [--csv map.csv] [--consent TEXT] [--min-samples N]
                        [--retry-rejected] [--allow-duplicates] [--json] [--pack ID]
                                             enroll a folder of photos (as \`hadir import\`), resumably
       hadir hub attendance --date YYYY-MM-DD [--site CODE] [--days] [--json]
       hadir hub days --date YYYY-MM-DD [--site CODE] [--unit UNIT] [--late] [--absent] [--status S,..] [--json]
                                             each person's day across sites: present, late, absent, on_leave, off
       hadir hub correct NUMBER --date YYYY-MM-DD [--in HH:MM|none] [--out HH:MM|none] [--late yes|no|auto] --reason TEXT
       hadir hub leave add NUMBER --from YYYY-MM-DD [--to YYYY-MM-DD] --kind cuti|sakit|izin|dinas --reason TEXT
       hadir hub export --from YYYY-MM-DD [--to YYYY-MM-DD] [--site CODE] [--unit UNIT] [--format csv|xlsx] --out FILE
       hadir hub recap --month YYYY-MM [--site CODE] [--unit UNIT] [--json] [--xlsx FILE] [--lang id|en]
                                             the monthly recap for payroll, per person: days present, late (minutes),
                                             early departures (minutes), missing check-outs, absences, leave by kind
       hadir hub operators add --username NAME --role admin|personnel|site-head [--site CODE]...
       hadir hub keys create --name NAME --scopes read[,write][,admin]

Hadir Hub: the organisation's server on PostgreSQL, which kiosks pair with, replicate their site's
people from and push attendance to. Environment:
  HADIR_HUB_DATABASE_URL   the database (required), e.g. postgres://hadir:secret@localhost:5432/hadir
  HADIR_HUB_DATA_KEY       the key that seals face templates at rest (base64; or HADIR_HUB_DATA_KEY_FILE),
                           required by serve and migrate; never stored in PostgreSQL
  HADIR_HUB_HOST           address to listen on (default 127.0.0.1)
  HADIR_HUB_PORT           port (default 5020)
  HADIR_HUB_ALLOWED_HOSTS  extra host names kiosks reach the hub by (comma-separated)
  HADIR_HUB_FACE=0         serve kiosks only: no engine, no face API (as --no-face)
  HADIR_ADMIN_DIR          the built admin console served under /admin/ (default out/admin: npm run build:admin)
  HADIR_HUB_IDENTIFY_MARGIN, HADIR_HUB_TARGET_FPIR, HADIR_HUB_MATCH_THRESHOLD
                           identification settings (the kiosk's identify.margin, identify.targetFpir, manual threshold)
The face API reads what it shares with \`hadir serve\` from the same switches: HADIR_PROVIDER,
HADIR_ENGINE_WORKERS, HADIR_MODELS_DIR, HADIR_TLS_CERT/KEY/SELF_SIGNED, HADIR_LEGACY_ROUTES,
HADIR_UPLOADS_DIR, HADIR_LEGACY_ANTISPOOF_PORT, HADIR_UPLOAD_LIMIT_MB, HADIR_RATE_LIMIT, HADIR_TRUSTED_PROXIES.`;
