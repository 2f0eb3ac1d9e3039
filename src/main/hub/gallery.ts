import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type { IdentificationPolicyInfo } from '../../shared/http-api';
import type { Identity } from '../../shared/identity';
import type { GalleryWarming, IdentityService } from '../api/context';
import type { ModelPack } from '../engine/manifest';
import { Identifier, type PersonNames } from '../services/identify';
import { matchPolicy, type MatchPolicy, type SettingsSource } from '../services/thresholds';
import { TemplateMatrix } from '../store/template-matrix';
import type { ChangeNotifier } from './notifier';
import * as store from './store/face';

export interface HubGalleryOptions {
  /** Templates (and people) per page of the start-up load (default 5000). */
  pageSize?: number;
  /** Called when following the log fails (the gallery keeps its state and retries). */
  onError?: (e: unknown) => void;
}

interface PersonEntry {
  id: number;
  employee_number: string;
  full_name: string;
  /** Sites where they may check in (home first). */
  sites: number[];
  /** Template ids in the matrices. */
  templates: number[];
}

export interface HubGalleryStats {
  state: 'warming' | 'ready';
  templates: number;
  people: number;
  sites: number;
  loadMs: number | null;
  cursor: number;
  catchUps: number;
}

/**
 * The organisation's enrolled faces, in memory, in one process of the hub: the organisation's
 * {@link TemplateMatrix} and one per site (the people allowed there: home site and extra sites), the
 * same kernel the kiosk searches.
 *
 * - **Start**: read the change log's head, then stream people and templates in pages by id (each page
 *   one short statement), then follow the log from that head. A change committed while the pages were
 *   read is in the log after the head (log numbers are handed out in commit order, store/changes.ts),
 *   so it is applied again: re-reading a person is idempotent. Until the load ends the gallery is
 *   `warming`: identification throws WARMING (503 with Retry-After), health shows the progress.
 * - **Following**: on every wake-up of the {@link ChangeNotifier} (a NOTIFY from any hub process, a
 *   reconnect, its poll timer) the log is re-read from the cursor and each person it names is read
 *   again, as they are now (deleted, deactivated, moved, new templates). A missed notification costs
 *   one poll interval, never a change.
 * - Nothing here is a source of truth: a restart rebuilds it all from PostgreSQL.
 */
export class HubGallery {
  private readonly org: TemplateMatrix;
  private readonly bySite = new Map<number, TemplateMatrix>();
  private readonly people = new Map<number, PersonEntry>();
  private siteIds = new Map<string, number>();
  private cursor = 0;
  private state: 'warming' | 'ready' = 'warming';
  private expected = 0;
  private startedAt = performance.now();
  private loadMs: number | null = null;
  private catchUps = 0;
  private closed = false;
  private readonly stop = new AbortController();
  private following: Promise<void> | null = null;
  private readonly pageSize: number;
  private readonly policies = new Map<number, MatchPolicy>();
  /** Resolves when the first load is complete (rejects only if the gallery is closed before). */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly names: PersonNames;

  constructor(
    private readonly pool: pg.Pool,
    private readonly notifier: ChangeNotifier,
    private readonly pack: ModelPack,
    private readonly settings: SettingsSource,
    private readonly opts: HubGalleryOptions = {},
  ) {
    this.org = new TemplateMatrix(pack.recognizer.embeddingSize);
    this.pageSize = opts.pageSize ?? 5000;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.names = {
      get: (id) => {
        const p = this.people.get(id);
        return p ? { id: p.id, employee_number: p.employee_number, full_name: p.full_name } : null;
      },
    };
  }

  /** The model pack whose templates this gallery searches. */
  get packId(): string {
    return this.pack.id;
  }

  /** Load in the background and follow the log; returns at once (see {@link ready}). */
  start(): void {
    this.following ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    this.markReady();
    await this.following?.catch(() => {});
  }

  warming(): GalleryWarming | null {
    if (this.state === 'ready') return null;
    return {
      loaded_templates: this.org.size,
      expected_templates: this.expected,
      elapsed_ms: Math.round(performance.now() - this.startedAt),
    };
  }

  stats(): HubGalleryStats {
    return {
      state: this.state,
      templates: this.org.size,
      people: this.org.peopleCount,
      sites: this.siteIds.size,
      loadMs: this.loadMs,
      cursor: this.cursor,
      catchUps: this.catchUps,
    };
  }

  /** The organisation's gallery as the face API's identity service. */
  identity(): IdentityService {
    return this.serviceOver(() => this.org, null);
  }

  /**
   * Who one face is among the organisation's people other than `exclude`: enrollment's duplicate check
   * (hub/import.ts), with the same search, names and threshold as {@link identity}.
   */
  identifyExcluding(probe: Float32Array, exclude: readonly number[]): Identity {
    if (this.state !== 'ready') throw new HadirError('WARMING', 'the gallery is still loading');
    this.orgIdentifier ??= this.identifierOver(() => this.org);
    return this.orgIdentifier.identifyFaces([probe], { exclude })[0];
  }

  private orgIdentifier: Identifier | null = null;

  /** Bring the gallery up to the log's head now (tests, and before answering after a write of our own). */
  catchUp(): Promise<number> {
    // One at a time: two interleaved re-reads of one person could leave the older one's sites.
    const next = this.exclusive.then(() => this.catchUpNow());
    this.exclusive = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private exclusive: Promise<void> = Promise.resolve();

  private async catchUpNow(): Promise<number> {
    if (this.state !== 'ready') return 0;
    let applied = 0;
    for (;;) {
      const changes = await store.changesAfter(this.pool, this.cursor, 1000);
      if (changes.length === 0) break;
      const personIds = [...new Set(changes.filter((c) => c.kind === 'person').map((c) => c.key))];
      if (changes.some((c) => c.kind === 'site')) await this.loadSites();
      for (let i = 0; i < personIds.length; i += 1000) await this.reloadPeople(personIds.slice(i, i + 1000));
      this.cursor = changes[changes.length - 1].seq;
      applied += changes.length;
    }
    if (applied) {
      this.catchUps++;
      this.policies.clear();
    }
    return applied;
  }

  // ------------------------------------------------------------------------------------------------

  private serviceOver(matrix: () => TemplateMatrix, site: string | null): IdentityService {
    const identifier = this.identifierOver(matrix);
    const requireReady = () => {
      if (this.state !== 'ready') {
        const w = this.warming()!;
        throw new HadirError(
          'WARMING',
          `the gallery is loading (${w.loaded_templates} of ${w.expected_templates} templates); retry shortly`,
        );
      }
    };
    return {
      gallerySize: () => {
        requireReady();
        return matrix().size;
      },
      identifyFaces: (probes): Identity[] => {
        requireReady();
        return identifier.identifyFaces(probes);
      },
      warming: () => this.warming(),
      identificationInfo: (): IdentificationPolicyInfo | null => {
        if (this.state !== 'ready') return null;
        const p = this.policyFor(matrix().peopleCount);
        return {
          threshold: p.threshold,
          source: p.thresholdSource,
          margin: p.margin,
          gallery_people: p.gallery?.gallerySize ?? matrix().peopleCount,
          target_fpir: p.gallery?.targetFpir ?? null,
          expected_fnir: p.gallery?.expectedFnir ?? null,
        };
      },
      ...(site === null
        ? {
            forSite: async (code: string) => {
              requireReady();
              // A new site writes no change-log row until someone is placed there: look again before a 404.
              if (!this.siteIds.has(code)) await this.loadSites();
              const id = this.siteIds.get(code);
              if (id === undefined) throw new HadirError('NOT_FOUND', `no site "${code}"`);
              return this.serviceOver(() => this.siteMatrix(id), code);
            },
          }
        : {}),
    };
  }

  private identifierOver(matrix: () => TemplateMatrix): Identifier {
    const search = { refresh: () => undefined, topPeople: (p: Float32Array, k: number) => matrix().topPeople(p, k) };
    return new Identifier(search, this.names, () => this.policyFor(matrix().peopleCount));
  }

  /** The threshold for a gallery of `people` (matchPolicy: manual, calibrated, by gallery size, the pack's). */
  private policyFor(people: number): MatchPolicy {
    let p = this.policies.get(people);
    if (!p) {
      p = matchPolicy(this.settings, this.pack, people);
      if (this.policies.size > 256) this.policies.clear();
      this.policies.set(people, p);
    }
    return p;
  }

  private siteMatrix(siteId: number): TemplateMatrix {
    let m = this.bySite.get(siteId);
    if (!m) {
      m = new TemplateMatrix(this.org.dim);
      this.bySite.set(siteId, m);
    }
    return m;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.load();
        break;
      } catch (e) {
        this.opts.onError?.(e);
        await sleep(1000);
      }
    }
    while (!this.closed) {
      const position = this.notifier.position;
      try {
        await this.catchUp();
      } catch (e) {
        this.opts.onError?.(e);
        await sleep(1000);
        continue;
      }
      await this.notifier.wait(position, 30_000, this.stop.signal);
      if (this.notifier.isClosed) break;
    }
  }

  private async load(): Promise<void> {
    this.startedAt = performance.now();
    const { rows } = await this.pool.query<{ head: number }>('SELECT coalesce(max(seq), 0) AS head FROM changes');
    const head = rows[0].head;
    this.expected = await store.countGalleryTemplates(this.pool, this.pack.id);
    await this.loadSites();
    this.people.clear();
    this.org.clear(this.expected);
    this.bySite.clear();
    for (let after = 0; !this.closed;) {
      const page = await store.galleryPeoplePage(this.pool, after, this.pageSize);
      if (page.length === 0) break;
      for (const p of page) {
        if (p.active) this.people.set(p.id, { ...p, templates: [] });
      }
      after = page[page.length - 1].id;
    }
    this.reserveSiteRows();
    // The next page is asked for before this one is added: PostgreSQL reads and sends it (another
    // process, another core) while this one is opened and copied into the matrices.
    let next = store.galleryTemplatePage(this.pool, this.pack.id, 0, this.pageSize);
    while (!this.closed) {
      const page = await next;
      if (page.length === 0) break;
      next = store.galleryTemplatePage(this.pool, this.pack.id, page[page.length - 1].id, this.pageSize);
      for (const t of page) this.addTemplate(t);
    }
    await next.catch(() => undefined);
    this.cursor = head;
    this.loadMs = performance.now() - this.startedAt;
    this.state = 'ready';
    this.markReady();
  }

  /**
   * Room in each site's matrix for its share of the expected templates, so the start-up load does
   * not grow 50 matrices by doubling (each growth copies the rows so far).
   */
  private reserveSiteRows(): void {
    if (this.people.size === 0) return;
    const perPerson = this.expected / this.people.size;
    const peopleAt = new Map<number, number>();
    for (const p of this.people.values()) for (const s of p.sites) peopleAt.set(s, (peopleAt.get(s) ?? 0) + 1);
    for (const [site, n] of peopleAt) this.siteMatrix(site).clear(Math.ceil(n * perPerson));
  }

  private async loadSites(): Promise<void> {
    this.siteIds = new Map((await store.siteCodes(this.pool)).map((s) => [s.code, s.id]));
  }

  private addTemplate(t: store.GalleryTemplateRow): void {
    const person = this.people.get(t.personId);
    if (!person) return; // inactive, or deleted since its page was read (the log will say so)
    if (!this.org.add(t)) return;
    person.templates.push(t.id);
    for (const s of person.sites) this.siteMatrix(s).add(t);
  }

  private removePerson(id: number): void {
    const p = this.people.get(id);
    if (!p) return;
    for (const t of p.templates) {
      this.org.removeTemplate(t);
      for (const s of p.sites) this.bySite.get(s)?.removeTemplate(t);
    }
    this.people.delete(id);
  }

  /** Read these people and their templates as they are now, replacing whatever the gallery held. */
  private async reloadPeople(ids: readonly number[]): Promise<void> {
    const [rows, templates] = await Promise.all([
      store.galleryPeople(this.pool, ids),
      store.galleryTemplatesOf(this.pool, this.pack.id, ids),
    ]);
    for (const id of ids) this.removePerson(id);
    for (const p of rows) if (p.active) this.people.set(p.id, { ...p, templates: [] });
    for (const t of templates) this.addTemplate(t);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
