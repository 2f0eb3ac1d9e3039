/**
 * Console rendering benchmark: the hub console's dashboard (the production build, out/admin) in
 * Debian's Chromium, for an organisation of 10,000 people over 50 offices, its API answered from
 * fixtures by Playwright's route interception (no hub: this measures the page, not the server).
 *
 * Each run loads the page afresh and reads the dashboard's own performance measure
 * `hadir:dashboard:render` (screens/Dashboard.tsx): from the moment the hub's answer has arrived to the
 * moment the three charts have drawn it and the per-office table is on screen. Target: under 1000 ms.
 *
 *   npm run bench:console [-- --runs 15] [-- --json out.json] [-- --fixtures f.json] [-- --screenshot page.png]
 *
 * Prints one JSON line: {runs, p50_ms, max_ms, …}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConsoleSession, DashboardView, SiteList } from '../src/shared/hub-admin';
import { launchChromium } from '../e2e/support/browser';
import { adminOut, ensureAdminBuilt } from '../e2e/support/build';
import { percentile } from './stats';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    people: { type: 'string', default: '10000' },
    sites: { type: 'string', default: '50' },
    json: { type: 'string' },
    /** Write the fixtures (session, sites, dashboard) to this file too. */
    fixtures: { type: 'string' },
    /** Save the last run's page (the whole of it) as a PNG here. */
    screenshot: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const PEOPLE = Number(args.people);
const SITES = Number(args.sites);
const ORIGIN = 'http://hub.bench.test';
const DATE = '2026-12-04';
const TARGET_MS = 1000;

/** A small seeded random source, so every run draws the same organisation. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ['Jakarta', 'Bandung', 'Surabaya', 'Medan', 'Makassar', 'Denpasar', 'Semarang', 'Palembang', 'Manado'];

function fixtures(): { session: ConsoleSession; sites: SiteList; dashboard: DashboardView } {
  const rnd = random(7);
  const sites = Array.from({ length: SITES }, (_, i) => ({
    code: `S${String(i + 1).padStart(2, '0')}`,
    name: `Kantor Wilayah ${CITIES[i % CITIES.length]} ${Math.floor(i / CITIES.length) + 1}`,
    time_zone: i % 3 === 0 ? 'Asia/Makassar' : 'Asia/Jakarta',
  }));
  // 10,000 people spread unevenly: a head office of 500, the rest shared out.
  const sizes = sites.map((_, i) => (i === 0 ? 500 : Math.floor((PEOPLE - 500) / (SITES - 1))));
  sizes[SITES - 1] += PEOPLE - sizes.reduce((a, b) => a + b, 0);
  const arrivals = new Map<number, number>();
  const perSite = sites.map((s, i) => {
    const expected = sizes[i];
    const onLeave = Math.round(expected * (0.02 + rnd() * 0.03));
    const present = Math.round((expected - onLeave) * (0.85 + rnd() * 0.13));
    const late = Math.round(present * (0.05 + rnd() * 0.15));
    for (let p = 0; p < present; p++) {
      // Most between 06:30 and 07:30, the late ones up to 10:00, in 15-minute buckets.
      const minute = p < present - late ? 390 + Math.floor(rnd() * 60) : 450 + Math.floor(rnd() * 150);
      const bucket = Math.floor(minute / 15) * 15;
      arrivals.set(bucket, (arrivals.get(bucket) ?? 0) + 1);
    }
    return {
      ...s,
      expected,
      present,
      late,
      not_yet_in: expected - onLeave - present,
      on_leave: onLeave,
      schedule_start: '07:30',
    };
  });
  const totals = { expected: 0, present: 0, late: 0, not_yet_in: 0, on_leave: 0 };
  for (const s of perSite) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += s[k];
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const late_trend = Array.from({ length: 30 }, (_, i) => {
    const d = new Date(Date.parse(`${DATE}T00:00:00Z`) - (29 - i) * 86_400_000);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const present = weekend ? 0 : Math.round(PEOPLE * (0.88 + rnd() * 0.06));
    const late = weekend ? 0 : Math.round(present * (0.08 + rnd() * 0.08));
    return { date: d.toISOString().slice(0, 10), on_time: present - late, late };
  });
  return {
    session: {
      operator: { username: 'admin', display_name: 'Admin Pusat', role: 'admin', sites: null },
      hub_url: ORIGIN,
      expires_at: new Date(Date.now() + 8 * 3600_000).toISOString(),
    },
    sites: { sites: sites.map((s, i) => ({ ...s, people: sizes[i], devices: 2 })) },
    dashboard: {
      date: DATE,
      totals,
      sites: perSite,
      arrivals: [...arrivals.entries()].sort((a, b) => a[0] - b[0]).map(([m, count]) => ({ start: hhmm(m), count })),
      schedule_start: '07:30',
      late_trend,
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

async function main(): Promise<void> {
  await ensureAdminBuilt();
  const data = fixtures();
  if (args.fixtures) writeFileSync(args.fixtures, JSON.stringify(data, null, 2));
  const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  const browser = await launchChromium({ viewport: { width: 1280, height: 720 } });
  const samples: number[] = [];
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/api/v1/hub/session') return route.fulfill(json(data.session));
      if (url.pathname === '/api/v1/hub/sites') return route.fulfill(json(data.sites));
      if (url.pathname === '/api/v1/hub/dashboard') return route.fulfill(json(data.dashboard));
      if (url.pathname.startsWith('/admin/')) {
        const rel = url.pathname.slice('/admin/'.length) || 'index.html';
        const file = path.join(adminOut, path.normalize(rel));
        if (!file.startsWith(adminOut)) return route.fulfill({ status: 404 });
        return route.fulfill({
          status: 200,
          contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
          body: readFileSync(file),
        });
      }
      return route.fulfill({ status: 404, body: '' });
    });
    for (let run = 0; run <= RUNS; run++) {
      await page.goto(`${ORIGIN}/admin/?run=${run}#/dashboard`);
      await page.waitForSelector('[data-testid="dash-body"][data-rendered="true"]', { timeout: 30_000 });
      const ms = (await page.evaluate(
        "performance.getEntriesByName('hadir:dashboard:render', 'measure').map((m) => m.duration)[0] ?? -1",
      )) as number;
      if (ms < 0) throw new Error('the dashboard left no hadir:dashboard:render measure');
      const rows = await page.locator('[data-testid="dash-sites-table"] tbody tr').count();
      if (rows !== SITES) throw new Error(`the table shows ${rows} offices, not ${SITES}`);
      // The first load compiles the page's code: a warm-up, not a sample.
      if (run > 0) samples.push(ms);
    }
    if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
    if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });
  } finally {
    await browser.close();
  }
  const result = {
    runs: samples.length,
    p50_ms: Math.round(percentile(samples, 50) * 10) / 10,
    max_ms: Math.round(Math.max(...samples) * 10) / 10,
    min_ms: Math.round(Math.min(...samples) * 10) / 10,
    people: PEOPLE,
    sites: SITES,
    target_ms: TARGET_MS,
  };
  console.log(JSON.stringify(result));
  if (args.json) writeFileSync(args.json, JSON.stringify({ ...result, samples_ms: samples }, null, 2));
  if (result.max_ms >= TARGET_MS) process.exitCode = 1;
}

await main();
