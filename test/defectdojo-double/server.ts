/**
 * A strict stand-in for the DefectDojo API v2 endpoints Scan Ledger calls, for tests on machines
 * where no DefectDojo server can run. It follows DefectDojo 3.2.0 (`dojo/__init__.py`), written
 * from its serializers and views (`dojo/api_v2/serializers.py` — CommonImportScanSerializer,
 * ReImportScanSerializer, ImportStatisticsSerializer —, `dojo/finding/api/serializer.py`,
 * `dojo/risk_acceptance/api/serializer.py`, `dojo/notes/api/serializer.py`, the `notes` action
 * of the findings view, the `LimitOffsetPagination` envelope, the token authentication and the
 * drf-spectacular schema at `/api/v2/oa3/schema/`).
 *
 * What it checks, it checks as DefectDojo does: the token (401 with DRF's messages), required
 * fields, choices, booleans, dates and primary keys (400 with DRF's field-keyed messages),
 * unknown ids (404), the finding PATCH rules of `FindingSerializer.validate`. It is stricter in
 * one way, on purpose: a field or query parameter DefectDojo does not define is refused with 400,
 * where DefectDojo would silently ignore it — a misspelt option must fail a test, not pass it.
 *
 * The server's "database" is a Scan Ledger `Ledger` run with `defectdojoParity: true`: the
 * double answers with DefectDojo's shapes, but its reimport semantics are the engine's, so a
 * push against it only drifts when a test makes it (`tamperStatistics`). It proves the protocol,
 * not DefectDojo's semantics, and the README says so.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { changeStatus, Ledger, reimportScan, type EngineContext, type StatusField } from '../../src/engine';
import { defaultSettings, effectiveSettings, emptyStoreData, SEVERITIES, type Finding } from '../../src/model';
import { parseReport, SCAN_TYPES } from '../../src/parsers';

export const DOUBLE_DEFECTDOJO_VERSION = '3.2.0';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** JSON body, or the multipart fields (file parts as `{ filename, size }`). */
  body: unknown;
  authorization: string | undefined;
}

interface ServerNote {
  id: number;
  entry: string;
  date: string;
  author: { id: number; username: string };
  private: boolean;
}

interface RiskAcceptance {
  id: number;
  name: string;
  accepted_findings: number[];
  recommendation: string;
  recommendation_details: string | null;
  decision: string;
  decision_details: string | null;
  accepted_by: string | null;
  owner: number;
  expiration_date: string | null;
  reactivate_expired: boolean;
  restart_sla_expired: boolean;
  created: string;
  updated: string;
}

type Stats = Record<string, Record<string, number>>;

export interface DoubleOptions {
  token: string;
  version?: string;
  pageSize?: number;
  now?: () => Date;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

const USER = { id: 1, username: 'admin' };

/** DRF's BooleanField spellings. */
const TRUE_VALUES = new Set(['true', 'True', 'TRUE', 't', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', '1']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE', 'f', 'F', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', '0']);

const REIMPORT_FIELDS = new Set([
  'scan_date', 'minimum_severity', 'active', 'verified', 'endpoint_to_add', 'file', 'product_type_name', 'product_name',
  'engagement_name', 'engagement_end_date', 'source_code_management_uri', 'test_title', 'auto_create_context',
  'deduplication_on_engagement', 'lead', 'push_to_jira', 'deduplication_execution_mode', 'environment', 'build_id',
  'branch_tag', 'commit_hash', 'api_scan_configuration', 'service', 'group_by', 'create_finding_groups_for_all_findings',
  'apply_tags_to_findings', 'apply_tags_to_endpoints', 'do_not_reactivate', 'scan_type', 'test', 'close_old_findings',
  'close_old_findings_product_scope', 'version', 'tags',
]);
const REIMPORT_BOOLEANS = [
  'active', 'verified', 'auto_create_context', 'deduplication_on_engagement', 'push_to_jira', 'create_finding_groups_for_all_findings',
  'apply_tags_to_findings', 'apply_tags_to_endpoints', 'do_not_reactivate', 'close_old_findings', 'close_old_findings_product_scope',
];
const GROUP_BY = ['component_name', 'component_name+component_version', 'file_path', 'finding_title', 'vuln_id_from_tool'];
const DEDUPLICATION_MODES = ['async', 'async_wait', 'sync'];

/** Writable finding fields a PATCH may carry, with the JSON type DefectDojo's serializer expects. */
const PATCH_FIELDS: Record<string, 'boolean' | 'string' | 'datetime'> = {
  active: 'boolean', verified: 'boolean', false_p: 'boolean', out_of_scope: 'boolean', risk_accepted: 'boolean',
  is_mitigated: 'boolean', under_review: 'boolean', duplicate: 'boolean', mitigated: 'datetime', title: 'string', severity: 'string',
};
const PATCH_STATUS: Record<string, StatusField | 'duplicate'> = {
  active: 'active', verified: 'verified', false_p: 'falsePositive', out_of_scope: 'outOfScope', risk_accepted: 'riskAccepted',
  is_mitigated: 'isMitigated', under_review: 'underReview', mitigated: 'mitigated', duplicate: 'duplicate',
};
const RISK_ACCEPTANCE_FIELDS = new Set([
  'name', 'accepted_findings', 'recommendation', 'recommendation_details', 'decision', 'decision_details', 'accepted_by', 'owner',
  'expiration_date', 'reactivate_expired', 'restart_sla_expired', 'notes',
]);
const TREATMENTS = ['A', 'V', 'M', 'F', 'T'];
const FINDING_FILTERS = new Set(['limit', 'offset', 'product_name', 'test', 'related_fields', 'test__engagement', 'test__engagement__product', 'duplicate', 'active']);

export class DefectDojoDouble {
  readonly requests: RecordedRequest[] = [];
  /** The server's data, in the engine's model (ids are the server's ids). */
  readonly ledger = new Ledger(emptyStoreData());
  readonly notes = new Map<number, ServerNote[]>();
  readonly riskAcceptances: RiskAcceptance[] = [];
  /** A test's hook to make the server's statistics differ from the engine's, as a drifting server would. */
  tamperStatistics: ((statistics: Record<string, unknown>) => void) | null = null;
  private failures: { method: string; path: string; status: number; times: number; retryAfter?: string }[] = [];
  private nextNoteId = 1;
  private nextRiskAcceptanceId = 1;
  private server: Server | null = null;
  private readonly token: string;
  private readonly version: string;
  private readonly pageSize: number;
  private readonly now: () => Date;
  url = '';

  constructor(options: DoubleOptions) {
    this.token = options.token;
    this.version = options.version ?? DOUBLE_DEFECTDOJO_VERSION;
    this.pageSize = options.pageSize ?? 25;
    this.now = options.now ?? (() => new Date());
  }

  static async start(options: DoubleOptions): Promise<DefectDojoDouble> {
    const double = new DefectDojoDouble(options);
    double.server = createServer((req, res) => void double.handle(req, res));
    await new Promise<void>((resolve) => double.server!.listen(0, '127.0.0.1', resolve));
    double.url = `http://127.0.0.1:${(double.server.address() as AddressInfo).port}`;
    return double;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** The next `times` requests matching `method` and `path` answer with `status`. */
  failNext(method: string, path: string, status: number, times = 1, retryAfter?: string): void {
    this.failures.push({ method, path, status, times, retryAfter });
  }

  /** A triage decision made on the server, at a chosen time (its `last_status_update`). */
  triage(findingId: number, fields: Record<string, boolean>, at: Date): void {
    const f = this.finding(findingId);
    const patch: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) patch[PATCH_STATUS[k] as string] = v;
    changeStatus(f, patch, this.context(at), 'server triage');
    f.lastStatusUpdate = at.toISOString();
  }

  /** A risk acceptance created on the server (the UI's way), at a chosen time. */
  acceptRisk(findingId: number, expirationDate: string | null, details: string, at: Date): RiskAcceptance {
    const ra = this.createRiskAcceptance({ name: `Accepted ${findingId}`, accepted_findings: [findingId], owner: USER.id, decision: 'A', decision_details: details, accepted_by: 'Security lead', expiration_date: expirationDate }, at);
    return ra;
  }

  addNote(findingId: number, entry: string, at: Date): void {
    this.finding(findingId);
    const list = this.notes.get(findingId) ?? [];
    list.push({ id: this.nextNoteId++, entry, date: at.toISOString(), author: USER, private: false });
    this.notes.set(findingId, list);
  }

  finding(id: number): Finding {
    const f = this.ledger.finding(id);
    if (!f) throw new HttpError(404, { detail: 'No Finding matches the given query.' });
    return f;
  }

  private context(at?: Date): EngineContext {
    return { now: at ?? this.now(), user: USER.username, settings: effectiveSettings({ ...defaultSettings(), defectdojoParity: true }) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body: null, authorization: req.headers.authorization };
    this.requests.push(record);
    try {
      const failure = this.failures.find((f) => f.method === req.method && f.path === url.pathname && f.times > 0);
      if (failure) {
        failure.times--;
        const headers: Record<string, string> = { 'Content-Type': 'text/html' };
        if (failure.retryAfter !== undefined) headers['Retry-After'] = failure.retryAfter;
        res.writeHead(failure.status, headers).end(`<h1>Error ${failure.status}</h1><p>echo: ${req.headers.authorization ?? ''}</p>`);
        return;
      }
      this.authenticate(req.headers.authorization);
      const { status, body } = await this.route(req.method ?? 'GET', url, req.headers['content-type'] ?? '', raw, record);
      this.send(res, status, body);
    } catch (error) {
      if (error instanceof HttpError) this.send(res, error.status, error.body);
      else this.send(res, 500, { message: 'Internal server error, check logs for details', detail: String(error) });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json', Allow: 'GET, POST, PATCH' }).end(JSON.stringify(body));
  }

  private authenticate(header: string | undefined): void {
    if (!header) throw new HttpError(401, { detail: 'Authentication credentials were not provided.' });
    const m = /^Token (\S+)$/.exec(header);
    if (!m) throw new HttpError(401, { detail: 'Invalid token header. No credentials provided.' });
    if (m[1] !== this.token) throw new HttpError(401, { detail: 'Invalid token.' });
  }

  private async route(method: string, url: URL, contentType: string, raw: Buffer, record: RecordedRequest): Promise<{ status: number; body: unknown }> {
    const p = url.pathname;
    if (method === 'GET' && p === '/api/v2/user_profile/') return { status: 200, body: this.userProfile() };
    if (method === 'GET' && p === '/api/v2/oa3/schema/') {
      return { status: 200, body: { openapi: '3.0.3', info: { title: 'DefectDojo API v2', version: this.version }, paths: {} } };
    }
    if (method === 'POST' && p === '/api/v2/reimport-scan/') {
      if (!contentType.startsWith('multipart/form-data')) throw new HttpError(415, { detail: `Unsupported media type "${contentType}" in request.` });
      const form = await new Response(new Uint8Array(raw), { headers: { 'Content-Type': contentType } }).formData();
      record.body = formRecord(form);
      return this.reimport(form);
    }
    if (method === 'GET' && p === '/api/v2/findings/') return { status: 200, body: this.listFindings(url) };
    const findingMatch = /^\/api\/v2\/findings\/(\d+)\/(notes\/)?$/.exec(p);
    if (findingMatch) {
      const id = Number(findingMatch[1]);
      const json = method === 'GET' ? {} : parseJson(contentType, raw);
      record.body = json;
      if (!findingMatch[2] && method === 'GET') return { status: 200, body: this.renderFinding(this.finding(id), false) };
      if (!findingMatch[2] && method === 'PATCH') return { status: 200, body: this.patchFinding(id, json) };
      if (findingMatch[2] && method === 'POST') return { status: 201, body: this.postNote(id, json) };
      if (findingMatch[2] && method === 'GET') {
        this.finding(id);
        return { status: 200, body: { notes: this.notes.get(id) ?? [] } };
      }
      throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
    }
    if (method === 'POST' && p === '/api/v2/risk_acceptance/') {
      const json = parseJson(contentType, raw);
      record.body = json;
      return { status: 201, body: this.postRiskAcceptance(json) };
    }
    throw new HttpError(404, { detail: 'Not found.' });
  }

  private userProfile(): unknown {
    return {
      user: { id: USER.id, username: USER.username, first_name: 'Admin', last_name: 'User', email: 'admin@example.com', last_login: null, is_active: true, is_superuser: true, configuration_permissions: [] },
      user_contact_info: null,
      global_role: null,
      dojo_group_member: [],
      product_type_member: [],
      product_member: [],
    };
  }

  private async reimport(form: FormData): Promise<{ status: number; body: unknown }> {
    const errors: Record<string, string[]> = {};
    for (const key of new Set(form.keys())) {
      if (!REIMPORT_FIELDS.has(key)) errors[key] = ['Not a field of ReImportScanSerializer (DefectDojo would ignore it; the double refuses it).'];
    }
    const text = (key: string): string | undefined => {
      const v = form.get(key);
      return typeof v === 'string' ? v : undefined;
    };
    const bools: Record<string, boolean | undefined> = {};
    for (const key of REIMPORT_BOOLEANS) {
      const v = text(key);
      if (v === undefined) continue;
      if (TRUE_VALUES.has(v)) bools[key] = true;
      else if (FALSE_VALUES.has(v)) bools[key] = false;
      else errors[key] = ['Must be a valid boolean.'];
    }
    const scanType = text('scan_type');
    if (scanType === undefined) errors.scan_type = ['This field is required.'];
    else if (!SCAN_TYPES.includes(scanType)) errors.scan_type = [`"${scanType}" is not a valid choice.`];
    const minimumSeverity = text('minimum_severity') ?? 'Info';
    if (!(SEVERITIES as readonly string[]).includes(minimumSeverity)) errors.minimum_severity = [`"${minimumSeverity}" is not a valid choice.`];
    const scanDate = text('scan_date');
    if (scanDate !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(scanDate) || Number.isNaN(Date.parse(scanDate))) errors.scan_date = ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'];
      else if (scanDate > this.now().toISOString().slice(0, 10)) errors.scan_date = ['The scan_date cannot be in the future!'];
    }
    const groupBy = text('group_by');
    if (groupBy !== undefined && !GROUP_BY.includes(groupBy)) errors.group_by = [`"${groupBy}" is not a valid choice.`];
    const mode = text('deduplication_execution_mode');
    if (mode !== undefined && !DEDUPLICATION_MODES.includes(mode)) errors.deduplication_execution_mode = [`"${mode}" is not a valid choice.`];
    const testField = text('test');
    let testId: number | undefined;
    if (testField !== undefined) {
      if (!/^\d+$/.test(testField)) errors.test = [`Incorrect type. Expected pk value, received str.`];
      else if (!this.ledger.test(Number(testField))) errors.test = [`Invalid pk "${testField}" - object does not exist.`];
      else testId = Number(testField);
    }
    const file = form.get('file');
    if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
    if (!(file instanceof File)) throw new HttpError(400, { non_field_errors: [`Uploading a Report File is required for ${scanType}`] });

    const productName = text('product_name');
    const engagementName = text('engagement_name');
    const productTypeName = text('product_type_name');
    const testTitle = text('test_title');
    const product = productName ? this.ledger.data.products.find((p) => p.name === productName) : undefined;
    const engagement = product && engagementName ? this.ledger.engagementsOfProduct(product.id).find((e) => e.name === engagementName) : undefined;
    let test = testId !== undefined ? this.ledger.test(testId) : undefined;
    if (!test && engagement) {
      const candidates = this.ledger.testsOfEngagement(engagement.id).filter((t) => t.scanType === scanType && (!testTitle || t.title === testTitle));
      test = candidates[candidates.length - 1];
    }
    if (!test && !bools.auto_create_context) throw new HttpError(404, { detail: 'A test could not be found!' });
    if (!test && !product) {
      if (!productName) throw new HttpError(400, { message: 'Product name is required to create a product.' });
      if (!productTypeName) {
        // DefectDojo would try to create a product type without a name and fail in the database.
        throw new HttpError(400, { message: `Product "${productName}" does not exist; product_type_name is needed to create it.` });
      }
    }
    if (!test && !engagementName) throw new HttpError(400, { message: 'Engagement name is required to create an engagement.' });

    const report = parseReport(await file.text(), { fileName: file.name, scanType });
    const ctx = this.context();
    const tags = form.getAll('tags').filter((t): t is string => typeof t === 'string').flatMap((t) => t.split(',').map((x) => x.trim()).filter(Boolean));
    const before = test ? statisticsOf(this.ledger.findingsOfTest(test.id)) : null;
    const result = reimportScan(
      this.ledger,
      report,
      {
        scanType: scanType!,
        productName: productName ?? '',
        productTypeName: productTypeName,
        engagementName: engagementName ?? '',
        testTitle: testTitle ?? null,
        testId: test?.id,
        active: bools.active ?? null,
        verified: bools.verified ?? null,
        minimumSeverity: minimumSeverity as (typeof SEVERITIES)[number],
        scanDate: scanDate ?? null,
        tags: tags.length > 0 ? tags : undefined,
        service: text('service') ?? null,
        version: text('version'),
        branchTag: text('branch_tag'),
        buildId: text('build_id'),
        commitHash: text('commit_hash'),
        // ReImportScanSerializer's default is true.
        closeOldFindings: bools.close_old_findings ?? true,
        doNotReactivate: bools.do_not_reactivate ?? false,
      },
      ctx,
    );
    const testRecord = this.ledger.test(result.testId)!;
    const engagementRecord = this.ledger.engagement(testRecord.engagementId)!;
    const productRecord = this.ledger.product(engagementRecord.productId)!;
    const statistics: Record<string, unknown> = {};
    if (before && result.type === 'reimport') {
      statistics.before = before;
      const byAction: Record<string, Finding[]> = { created: [], closed: [], reactivated: [], untouched: [] };
      for (const a of result.actions) byAction[a.action]?.push(this.ledger.finding(a.findingId)!);
      statistics.delta = Object.fromEntries(Object.entries(byAction).map(([k, list]) => [k, statisticsOf(list)]));
    }
    statistics.after = statisticsOf(this.ledger.findingsOfTest(result.testId));
    this.tamperStatistics?.(statistics);
    return {
      status: 201,
      body: {
        scan_date: scanDate ?? null,
        minimum_severity: minimumSeverity,
        active: bools.active ?? null,
        verified: bools.verified ?? null,
        product_name: productName,
        engagement_name: engagementName,
        test_title: testTitle,
        scan_type: scanType,
        tags,
        close_old_findings: bools.close_old_findings ?? true,
        do_not_reactivate: bools.do_not_reactivate ?? false,
        test: result.testId,
        test_id: result.testId,
        engagement_id: engagementRecord.id,
        product_id: productRecord.id,
        product_type_id: productRecord.productTypeId,
        statistics,
        deduplication_complete: true,
      },
    };
  }

  private listFindings(url: URL): unknown {
    const errors: Record<string, string[]> = {};
    for (const key of url.searchParams.keys()) {
      if (!FINDING_FILTERS.has(key)) errors[key] = ['Not a filter of ApiFindingFilter (DefectDojo would ignore it; the double refuses it).'];
    }
    const int = (key: string, fallback: number | null): number | null => {
      const v = url.searchParams.get(key);
      if (v === null) return fallback;
      if (!/^\d+$/.test(v)) {
        errors[key] = ['Enter a number.'];
        return fallback;
      }
      return Number(v);
    };
    const limit = Math.min(int('limit', this.pageSize) ?? this.pageSize, 1000) || this.pageSize;
    const offset = int('offset', 0) ?? 0;
    const testId = int('test', null);
    const related = url.searchParams.get('related_fields');
    if (related !== null && related !== 'true' && related !== 'false') errors.related_fields = ['Must be a valid boolean.'];
    if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
    if (testId !== null && !this.ledger.test(testId)) throw new HttpError(400, { test: ['Select a valid choice. That choice is not one of the available choices.'] });
    const productName = url.searchParams.get('product_name');
    const all = this.ledger.data.findings.filter((f) => {
      if (testId !== null && f.testId !== testId) return false;
      if (productName !== null && this.ledger.productOfTest(f.testId)?.name.toLowerCase() !== productName.toLowerCase()) return false;
      return true;
    });
    const page = all.slice(offset, offset + limit);
    const link = (o: number): string => {
      const next = new URL(url.href);
      next.searchParams.set('limit', String(limit));
      next.searchParams.set('offset', String(o));
      return next.href;
    };
    return {
      count: all.length,
      next: offset + limit < all.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      results: page.map((f) => this.renderFinding(f, related === 'true')),
      prefetch: {},
    };
  }

  renderFinding(f: Finding, related: boolean): Record<string, unknown> {
    const test = this.ledger.test(f.testId)!;
    const engagement = this.ledger.engagement(test.engagementId)!;
    const product = this.ledger.product(engagement.productId)!;
    return {
      id: f.id,
      title: f.title,
      date: f.date.slice(0, 10),
      severity: f.severity,
      description: f.description ?? '',
      test: f.testId,
      hash_code: f.hashCode,
      unique_id_from_tool: f.uniqueIdFromTool ?? null,
      vuln_id_from_tool: f.vulnIdFromTool ?? null,
      file_path: f.filePath ?? null,
      line: f.line ?? null,
      cwe: f.cwe,
      active: f.active,
      verified: f.verified,
      false_p: f.falsePositive,
      out_of_scope: f.outOfScope,
      risk_accepted: f.riskAccepted,
      under_review: f.underReview,
      is_mitigated: f.isMitigated,
      mitigated: f.mitigated,
      mitigated_by: f.mitigatedBy ? USER.id : null,
      duplicate: f.duplicate,
      duplicate_finding: f.duplicateOf,
      last_status_update: f.lastStatusUpdate,
      created: f.created,
      notes: this.notes.get(f.id) ?? [],
      accepted_risks: this.riskAcceptances.filter((ra) => ra.accepted_findings.includes(f.id)),
      related_fields: related
        ? {
            test: {
              id: test.id,
              title: test.title ?? null,
              test_type: { id: 1, name: test.testType },
              engagement: { id: engagement.id, name: engagement.name, product: { id: product.id, name: product.name, prod_type: { id: product.productTypeId, name: '' } } },
              environment: { id: 1, name: 'Development' },
              branch_tag: null,
              build_id: null,
              commit_hash: null,
              version: null,
            },
            jira: null,
          }
        : null,
    };
  }

  private patchFinding(id: number, body: Record<string, unknown>): unknown {
    const f = this.finding(id);
    const errors: Record<string, string[]> = {};
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      const type = PATCH_FIELDS[key];
      if (!type) {
        errors[key] = ['Not a writable field of FindingSerializer (DefectDojo would ignore it; the double refuses it).'];
        continue;
      }
      if (type === 'boolean') {
        if (typeof value === 'boolean') values[key] = value;
        else if (typeof value === 'string' && TRUE_VALUES.has(value)) values[key] = true;
        else if (typeof value === 'string' && FALSE_VALUES.has(value)) values[key] = false;
        else errors[key] = ['Must be a valid boolean.'];
      } else if (type === 'datetime') {
        if (value === null || (typeof value === 'string' && !Number.isNaN(Date.parse(value)))) values[key] = value;
        else errors[key] = ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'];
      } else if (typeof value !== 'string') errors[key] = ['Not a valid string.'];
      else if (key === 'severity' && !(SEVERITIES as readonly string[]).includes(value)) errors[key] = [`Severity must be one of the following: ${JSON.stringify(SEVERITIES)}`];
      else values[key] = value;
    }
    if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
    // FindingSerializer.validate, for a PATCH: unspecified flags keep the stored values.
    const isActive = (values.active as boolean | undefined) ?? f.active;
    const isVerified = (values.verified as boolean | undefined) ?? f.verified;
    const isDuplicate = (values.duplicate as boolean | undefined) ?? f.duplicate;
    const isFalsePositive = (values.false_p as boolean | undefined) ?? f.falsePositive;
    const isRiskAccepted = (values.risk_accepted as boolean | undefined) ?? f.riskAccepted;
    if ((isActive || isVerified) && isDuplicate) throw new HttpError(400, { non_field_errors: ['Duplicate findings cannot be verified or active'] });
    if (isFalsePositive && isVerified) throw new HttpError(400, { non_field_errors: ['False positive findings cannot be verified.'] });
    if (isActive && isRiskAccepted) throw new HttpError(400, { non_field_errors: ['Active findings cannot be risk accepted.'] });
    const patch: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const field = PATCH_STATUS[key];
      if (field && field !== 'duplicate') patch[field] = value;
      else if (key === 'title') f.title = value as string;
      else if (key === 'severity') f.severity = value as Finding['severity'];
      else if (key === 'duplicate') f.duplicate = value as boolean;
    }
    changeStatus(f, patch, this.context(), 'API PATCH');
    // Un-accepting on the server removes the finding from its acceptances, as risk_unaccept does.
    if (values.risk_accepted === false) for (const ra of this.riskAcceptances) ra.accepted_findings = ra.accepted_findings.filter((x) => x !== id);
    return this.renderFinding(f, false);
  }

  private postNote(id: number, body: Record<string, unknown>): unknown {
    this.finding(id);
    const errors: Record<string, string[]> = {};
    for (const key of Object.keys(body)) if (!['entry', 'private', 'note_type'].includes(key)) errors[key] = ['Not a field of AddNewNoteOptionSerializer (the double refuses it).'];
    if (body.entry === undefined) errors.entry = ['This field is required.'];
    else if (typeof body.entry !== 'string') errors.entry = ['Not a valid string.'];
    else if (body.entry.trim() === '') errors.entry = ['This field may not be blank.'];
    if (body.private !== undefined && typeof body.private !== 'boolean') errors.private = ['Must be a valid boolean.'];
    if (body.note_type !== undefined && body.note_type !== null) errors.note_type = [`Invalid pk "${String(body.note_type)}" - object does not exist.`];
    if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
    this.addNote(id, body.entry as string, this.now());
    // The notes action answers with the author, the entry and the privacy flag only (no id).
    return { author: { id: USER.id, username: USER.username, first_name: 'Admin', last_name: 'User' }, entry: body.entry, private: body.private ?? false };
  }

  private postRiskAcceptance(body: Record<string, unknown>): unknown {
    const errors: Record<string, string[]> = {};
    for (const key of Object.keys(body)) if (!RISK_ACCEPTANCE_FIELDS.has(key)) errors[key] = ['Not a field of RiskAcceptanceSerializer (the double refuses it).'];
    if (typeof body.name !== 'string' || body.name.trim() === '') errors.name = [body.name === undefined ? 'This field is required.' : 'This field may not be blank.'];
    else if (body.name.length > 300) errors.name = ['Ensure this field has no more than 300 characters.'];
    if (body.owner === undefined) errors.owner = ['This field is required.'];
    else if (body.owner !== USER.id) errors.owner = [`Invalid pk "${String(body.owner)}" - object does not exist.`];
    if (!Array.isArray(body.accepted_findings)) errors.accepted_findings = [body.accepted_findings === undefined ? 'This field is required.' : 'Expected a list of items but got type "str".'];
    else if (body.accepted_findings.length === 0) errors.accepted_findings = ['This list may not be empty.'];
    else {
      const bad = (body.accepted_findings as unknown[]).find((x) => typeof x !== 'number' || !this.ledger.finding(x));
      if (bad !== undefined) errors.accepted_findings = [`Invalid pk "${String(bad)}" - object does not exist.`];
    }
    for (const key of ['decision', 'recommendation']) if (body[key] !== undefined && !TREATMENTS.includes(body[key] as string)) errors[key] = [`"${String(body[key])}" is not a valid choice.`];
    if (body.expiration_date !== undefined && body.expiration_date !== null && (typeof body.expiration_date !== 'string' || Number.isNaN(Date.parse(body.expiration_date)))) {
      errors.expiration_date = ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].'];
    }
    if (body.accepted_by !== undefined && body.accepted_by !== null && (typeof body.accepted_by !== 'string' || body.accepted_by.length > 200)) errors.accepted_by = ['Ensure this field has no more than 200 characters.'];
    if (Object.keys(errors).length > 0) throw new HttpError(400, errors);
    return this.createRiskAcceptance(body, this.now());
  }

  private createRiskAcceptance(body: Record<string, unknown>, at: Date): RiskAcceptance {
    const ra: RiskAcceptance = {
      id: this.nextRiskAcceptanceId++,
      name: body.name as string,
      accepted_findings: body.accepted_findings as number[],
      recommendation: (body.recommendation as string | undefined) ?? 'F',
      recommendation_details: (body.recommendation_details as string | undefined) ?? null,
      decision: (body.decision as string | undefined) ?? 'A',
      decision_details: (body.decision_details as string | undefined) ?? null,
      accepted_by: (body.accepted_by as string | undefined) ?? null,
      owner: body.owner as number,
      expiration_date: (body.expiration_date as string | null | undefined) ?? null,
      reactivate_expired: true,
      restart_sla_expired: false,
      created: at.toISOString(),
      updated: at.toISOString(),
    };
    this.riskAcceptances.push(ra);
    // add_findings_to_risk_acceptance: each finding becomes risk accepted and inactive.
    for (const id of ra.accepted_findings) {
      const f = this.finding(id);
      changeStatus(f, { riskAccepted: true, active: false }, this.context(at), `risk acceptance ${ra.id}`);
      f.lastStatusUpdate = at.toISOString();
    }
    return ra;
  }
}

/** DefectDojo's `_get_statistics_for_queryset`: per lower-case severity and in total, the status counts. */
function statisticsOf(findings: readonly Finding[]): Stats {
  const fields = ['active', 'verified', 'duplicate', 'false_p', 'out_of_scope', 'is_mitigated', 'risk_accepted', 'total'];
  const zero = (): Record<string, number> => Object.fromEntries(fields.map((k) => [k, 0]));
  const stats: Stats = { info: zero(), low: zero(), medium: zero(), high: zero(), critical: zero(), total: zero() };
  for (const f of findings) {
    for (const row of [stats[f.severity.toLowerCase()], stats.total]) {
      if (!row) continue;
      row.total++;
      if (f.active) row.active++;
      if (f.verified) row.verified++;
      if (f.duplicate) row.duplicate++;
      if (f.falsePositive) row.false_p++;
      if (f.outOfScope) row.out_of_scope++;
      if (f.isMitigated) row.is_mitigated++;
      if (f.riskAccepted) row.risk_accepted++;
    }
  }
  return stats;
}

/** The multipart fields, file parts reduced to their name and size, for assertions. */
function formRecord(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    const v = typeof value === 'string' ? value : { filename: value.name, size: value.size };
    if (key in out) out[key] = ([] as unknown[]).concat(out[key], v);
    else out[key] = v;
  }
  return out;
}

function parseJson(contentType: string, raw: Buffer): Record<string, unknown> {
  if (!contentType.startsWith('application/json')) throw new HttpError(415, { detail: `Unsupported media type "${contentType}" in request.` });
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, { message: 'JSON request content is malformed' });
  }
}

