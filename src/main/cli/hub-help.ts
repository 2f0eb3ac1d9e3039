/** The help of `hadir hub`, shown by the dispatcher and by every subcommand's usage error. */
export const HUB_HELP = `usage: hadir hub [serve]                     migrate the database, then serve kiosks (default)
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
       hadir hub attendance --date YYYY-MM-DD [--site CODE] [--days] [--json]
       hadir hub operators add --username NAME --role admin|personnel|site-head [--site CODE]...
       hadir hub keys create --name NAME --scopes read[,write][,admin]

Hadir Hub: the organisation's server on PostgreSQL, which kiosks pair with, replicate their site's
people from and push attendance to. Environment:
  HADIR_HUB_DATABASE_URL   the database (required), e.g. postgres://hadir:secret@localhost:5432/hadir
  HADIR_HUB_HOST           address to listen on (default 127.0.0.1)
  HADIR_HUB_PORT           port (default 5020)
  HADIR_HUB_ALLOWED_HOSTS  extra host names kiosks reach the hub by (comma-separated)`;
