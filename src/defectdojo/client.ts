/**
 * A client for the parts of DefectDojo's API v2 that Scan Ledger uses (followed from DefectDojo
 * 3.2.0; see `DEFECTDOJO_API_VERSION_FOLLOWED`). It talks to one server only, the configured URL:
 * every request and every pagination `next` link must stay on that origin and under its path,
 * redirects are refused rather than followed (a redirect would carry the token elsewhere), and
 * TLS is always verified, because nothing here ever passes an agent or dispatcher that could
 * turn verification off. Plain `http:` is accepted only for a loopback address, where the token
 * never crosses a network.
 *
 * The API token is sent as `Authorization: Token <key>` and never appears in an error message:
 * every message built here passes through `redact`, which replaces the token wherever it occurs
 * (a server that echoes the header back in an error page cannot leak it through us).
 */

/** The DefectDojo release this client was written against (its `dojo/__init__.py`). */
export const DEFECTDOJO_API_VERSION_FOLLOWED = '3.2.0';

/**
 * The oldest DefectDojo release the client accepts: the reimport response's `statistics` with
 * `before`, `delta` and `after`, `auto_create_context` creating the test on reimport, and the
 * findings filters `product_name` / `test` are all present from 2.30 on.
 */
export const DEFECTDOJO_MIN_VERSION = '2.30.0';

/** The first major release the client does not know; its API may have changed shape. */
export const DEFECTDOJO_FIRST_UNKNOWN_MAJOR = 4;

export type DefectDojoErrorKind =
  | 'configuration'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unsupported-version'
  | 'protocol';

/** A failure talking to DefectDojo; the message names the request and never holds the token. */
export class DefectDojoError extends Error {
  constructor(
    readonly kind: DefectDojoErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DefectDojoError';
  }
}

export interface DefectDojoClientOptions {
  /** The server's base URL, e.g. `https://defectdojo.example.com` (a path prefix is kept). */
  url: string;
  /** The API v2 key of the acting user. */
  token: string;
  /** Per-attempt timeout; a report upload gets `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx and network failures. */
  maxRetries?: number;
  /** First back-off delay; each retry doubles it, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Injected in tests to observe the back-off without waiting it out. */
  sleep?: (ms: number) => Promise<void>;
}

/** DefectDojo's paginated list envelope (`LimitOffsetPagination`). */
export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** A file part of a multipart request. */
export interface UploadFile {
  name: string;
  bytes: Uint8Array;
  contentType?: string;
}

/** Multipart form fields; a list sends the field once per value, as DRF's list fields expect. */
export type FormFields = Record<string, string | readonly string[] | UploadFile | undefined>;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_UPLOAD_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 10_000;
/** A list longer than this many pages is refused rather than followed forever. */
const MAX_PAGES = 10_000;
/** How much of an error body a message quotes. */
const BODY_EXCERPT_CHARS = 300;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Checks a configured server URL: `https:` (or `http:` on a loopback address), no user name or
 * password in it (they would end up in logs), no query or fragment. Returns the URL with any
 * trailing slash removed, so endpoint paths can be appended.
 */
export function normaliseServerUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DefectDojoError('configuration', `"${raw}" is not a URL; expected e.g. https://defectdojo.example.com`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new DefectDojoError(
      'configuration',
      `${url.origin}: the DefectDojo URL must use https (plain http is accepted only on a loopback address, where the token never crosses a network)`,
    );
  }
  if (url.username || url.password) throw new DefectDojoError('configuration', 'the DefectDojo URL must not contain a user name or password; the token comes from DD_API_TOKEN or the editor\'s secret storage');
  if (url.search || url.hash) throw new DefectDojoError('configuration', `${url.origin}${url.pathname}: the DefectDojo URL must not have a query or fragment`);
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** Replaces every occurrence of the token in `text`. */
export function redactToken(text: string, token: string): string {
  if (!token) return text;
  return text.split(token).join('[redacted]');
}

/** Compares dotted release numbers numerically; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why a server version is not supported, or null when it is. */
export function unsupportedVersionReason(version: string): string | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return `the server reports version "${version}", which is not a DefectDojo release number`;
  const release = `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
  if (compareVersions(release, DEFECTDOJO_MIN_VERSION) < 0) return `DefectDojo ${version} is older than ${DEFECTDOJO_MIN_VERSION}, the oldest release this client supports`;
  if (Number(m[1]) >= DEFECTDOJO_FIRST_UNKNOWN_MAJOR) {
    return `DefectDojo ${version} is a major release this client does not know (it follows ${DEFECTDOJO_API_VERSION_FOLLOWED})`;
  }
  return null;
}

/** What `checkServer` learned: who the token belongs to and which release answers. */
export interface ServerIdentity {
  userId: number;
  username: string;
  version: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Attempt {
  method: string;
  path: string;
  url: URL;
  body?: () => NonNullable<RequestInit['body']>;
  contentType?: string;
  timeoutMs: number;
  /** Whether a 5xx or a dropped connection may be retried without risking a second effect. */
  idempotent: boolean;
}

export class DefectDojoClient {
  readonly base: URL;
  /** The path prefix of the configured URL without a trailing slash ('' at the root). */
  private readonly prefix: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DefectDojoClientOptions) {
    this.base = normaliseServerUrl(options.url);
    this.prefix = this.base.pathname.replace(/\/+$/, '');
    if (!options.token || /\s/.test(options.token)) {
      throw new DefectDojoError('configuration', 'no usable DefectDojo API token (set DD_API_TOKEN, or connect from the editor)');
    }
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The server as messages and audit entries name it: its origin and path prefix. */
  get serverName(): string {
    return `${this.base.origin}${this.prefix}`;
  }

  /** The URL of an API path such as `/api/v2/findings/`, with query parameters. */
  endpoint(apiPath: string, query?: Record<string, string | number | boolean | undefined>): URL {
    const url = new URL(this.base.href);
    url.pathname = `${this.prefix}${apiPath}`;
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * Checks the token (`GET /api/v2/user_profile/`) and the release (`info.version` of the
   * OpenAPI document DefectDojo serves at `/api/v2/oa3/schema/`, which drf-spectacular fills
   * from `dojo.__version__`). A token that is refused is a 401 error; a release outside the
   * supported range is an `unsupported-version` error.
   */
  async checkServer(): Promise<ServerIdentity> {
    const profile = await this.getJson<{ user?: { id?: unknown; username?: unknown } }>('/api/v2/user_profile/');
    const userId = profile.user?.id;
    const username = profile.user?.username;
    if (typeof userId !== 'number' || typeof username !== 'string') {
      throw new DefectDojoError('protocol', `${this.serverName}: /api/v2/user_profile/ did not describe a user; is this a DefectDojo server?`);
    }
    const schema = await this.getJson<{ info?: { title?: unknown; version?: unknown } }>('/api/v2/oa3/schema/', { format: 'json' });
    const version = schema.info?.version;
    if (typeof version !== 'string') {
      throw new DefectDojoError('unsupported-version', `${this.serverName}: the server does not report its DefectDojo version in /api/v2/oa3/schema/`);
    }
    const problem = unsupportedVersionReason(version);
    if (problem) throw new DefectDojoError('unsupported-version', `${this.serverName}: ${problem}`);
    return { userId, username, version };
  }

  async getJson<T>(apiPath: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    return this.send<T>({ method: 'GET', path: apiPath, url: this.endpoint(apiPath, query), timeoutMs: this.timeoutMs, idempotent: true });
  }

  /** Every item of a paginated list, following `next` links that stay on this server. */
  async list<T>(apiPath: string, query?: Record<string, string | number | boolean | undefined>): Promise<T[]> {
    const items: T[] = [];
    let url: URL | null = this.endpoint(apiPath, { limit: 100, ...query });
    const seen = new Set<string>();
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new DefectDojoError('protocol', `${this.serverName}${apiPath}: more than ${MAX_PAGES} pages; refusing to follow further`);
      if (seen.has(url.href)) throw new DefectDojoError('protocol', `${this.serverName}${apiPath}: the pagination links loop back to a page already read`);
      seen.add(url.href);
      const body: Paginated<T> = await this.send<Paginated<T>>({ method: 'GET', path: apiPath, url, timeoutMs: this.timeoutMs, idempotent: true });
      if (!body || !Array.isArray(body.results)) throw new DefectDojoError('protocol', `${this.serverName}${apiPath}: the answer is not a paginated list`);
      items.push(...body.results);
      url = body.next ? this.checkedNext(apiPath, body.next) : null;
    }
    return items;
  }

  async patchJson<T>(apiPath: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    // A PATCH that sets the same fields twice has the same effect as once, so it may be retried.
    return this.send<T>({ method: 'PATCH', path: apiPath, url: this.endpoint(apiPath), body: () => text, contentType: 'application/json', timeoutMs: this.timeoutMs, idempotent: true });
  }

  async postJson<T>(apiPath: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    return this.send<T>({ method: 'POST', path: apiPath, url: this.endpoint(apiPath), body: () => text, contentType: 'application/json', timeoutMs: this.timeoutMs, idempotent: false });
  }

  /** A multipart POST (the import endpoints), with the upload timeout. */
  async postForm<T>(apiPath: string, fields: FormFields): Promise<T> {
    const form = (): FormData => {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        if (typeof value === 'string') data.append(name, value);
        else if (Array.isArray(value)) for (const v of value as readonly string[]) data.append(name, v);
        else {
          const file = value as UploadFile;
          data.append(name, new Blob([new Uint8Array(file.bytes)], { type: file.contentType ?? 'application/octet-stream' }), file.name);
        }
      }
      return data;
    };
    return this.send<T>({ method: 'POST', path: apiPath, url: this.endpoint(apiPath), body: form, timeoutMs: this.uploadTimeoutMs, idempotent: false });
  }

  /** A `next` link, accepted only on this server and under this API path. */
  private checkedNext(apiPath: string, next: string): URL {
    let url: URL;
    try {
      url = new URL(next, this.base);
    } catch {
      throw new DefectDojoError('protocol', `${this.serverName}${apiPath}: the pagination link is not a URL`);
    }
    if (url.origin !== this.base.origin || !url.pathname.startsWith(`${this.prefix}/api/v2/`)) {
      throw new DefectDojoError('protocol', `${this.serverName}${apiPath}: the pagination link points at ${url.origin}${url.pathname}, outside the configured server; not followed`);
    }
    return url;
  }

  private redact(text: string): string {
    return redactToken(text, this.token);
  }

  private delay(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter !== null ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, this.maxBackoffMs);
    return Math.min(this.backoffMs * 2 ** attempt, this.maxBackoffMs);
  }

  private async send<T>(attempt: Attempt): Promise<T> {
    const label = `${attempt.method} ${this.serverName}${attempt.path}`;
    for (let n = 0; ; n++) {
      const retriesLeft = n < this.maxRetries;
      let response: Response;
      try {
        const headers: Record<string, string> = { Authorization: `Token ${this.token}`, Accept: 'application/json' };
        if (attempt.contentType) headers['Content-Type'] = attempt.contentType;
        response = await fetch(attempt.url, {
          method: attempt.method,
          headers,
          body: attempt.body?.(),
          redirect: 'manual',
          signal: AbortSignal.timeout(attempt.timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        // A refused connection never reached the server, so even a POST may be sent again.
        const safeToRetry = attempt.idempotent || cause?.code === 'ECONNREFUSED';
        if (retriesLeft && safeToRetry) {
          await this.sleep(this.delay(n, null));
          continue;
        }
        const detail = timedOut ? `no answer within ${Math.round(attempt.timeoutMs / 1000)} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new DefectDojoError(timedOut ? 'timeout' : 'network', this.redact(`${label}: ${detail}${n > 0 ? ` (after ${n + 1} attempts)` : ''}`));
      }
      const status = response.status;
      // 429 and 503 mean the request was not processed; other 5xx may have been, so a
      // non-idempotent request (an upload, a new note) is not sent twice.
      const retryable = status === 429 || status === 503 || (attempt.idempotent && (status === 500 || status === 502 || status === 504));
      if (retryable && retriesLeft) {
        await response.body?.cancel().catch(() => undefined);
        await this.sleep(this.delay(n, response.headers.get('retry-after')));
        continue;
      }
      const text = await response.text();
      if (status >= 200 && status < 300) {
        if (text.trim() === '') return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new DefectDojoError('protocol', this.redact(`${label}: the answer is not JSON (HTTP ${status})`), status);
        }
      }
      throw this.httpError(label, status, text, response.headers.get('location'), n + 1);
    }
  }

  private httpError(label: string, status: number, body: string, location: string | null, attempts: number): DefectDojoError {
    const excerpt = errorExcerpt(body);
    const tail = excerpt ? `: ${excerpt}` : '';
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    let error: DefectDojoError;
    if (status >= 300 && status < 400) {
      error = new DefectDojoError('protocol', `${label}: the server redirects (HTTP ${status}${location ? ` to ${location}` : ''}); redirects are not followed — check the configured URL`, status);
    } else if (status === 401) {
      error = new DefectDojoError('unauthorized', `${label}: HTTP 401, the API token was refused (check DD_API_TOKEN, or reconnect from the editor)${tail}`, status);
    } else if (status === 403) {
      error = new DefectDojoError('forbidden', `${label}: HTTP 403, the token's user may not do this${tail}`, status);
    } else if (status === 404) {
      error = new DefectDojoError('not-found', `${label}: HTTP 404, not found${tail}`, status);
    } else if (status === 429) {
      error = new DefectDojoError('server', `${label}: HTTP 429, still rate-limited${after}`, status);
    } else if (status >= 500) {
      error = new DefectDojoError('server', `${label}: HTTP ${status}, server error${after}${tail}`, status);
    } else {
      error = new DefectDojoError('bad-request', `${label}: HTTP ${status}${tail}`, status);
    }
    return new DefectDojoError(error.kind, this.redact(error.message), status);
  }
}

/** The useful part of an error body: DRF's JSON errors compacted, an HTML page reduced to text. */
function errorExcerpt(body: string): string {
  let text = body.trim();
  if (text === '') return '';
  try {
    text = JSON.stringify(JSON.parse(text));
  } catch {
    text = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  }
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
}
