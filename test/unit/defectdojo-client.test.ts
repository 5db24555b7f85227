import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DefectDojoClient, DefectDojoError, normaliseServerUrl, redactToken, unsupportedVersionReason } from '../../src/defectdojo';
import { readSettings } from '../../src/extension/settings';
import { validateSettingValue } from '../../src/store';
import { DefectDojoDouble } from '../defectdojo-double/server';

const TOKEN = 'a1b2c3d4e5f6-secret-token';
const REPORT = readFileSync(path.join(__dirname, '..', 'cli-fixtures', 'generic-v1.json'));

/** A plain server answering every request with `handler`, for the cases the double does not play. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<DefectDojoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DefectDojoError, `expected a DefectDojoError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('DefectDojo client: configuration', () => {
  it('accepts https and loopback http, and refuses plain http elsewhere, credentials, queries', () => {
    assert.equal(normaliseServerUrl('https://dd.example.com/').href, 'https://dd.example.com/');
    assert.equal(normaliseServerUrl('https://dd.example.com/defectdojo/').pathname, '/defectdojo');
    assert.equal(normaliseServerUrl('http://127.0.0.1:8080').origin, 'http://127.0.0.1:8080');
    assert.throws(() => normaliseServerUrl('http://dd.example.com'), /must use https/);
    assert.throws(() => normaliseServerUrl('https://user:pw@dd.example.com'), /user name or password/);
    assert.throws(() => normaliseServerUrl('https://dd.example.com/?x=1'), /query or fragment/);
    assert.throws(() => normaliseServerUrl('not a url'), /is not a URL/);
  });

  it('refuses an empty token rather than sending an unauthenticated request', () => {
    assert.throws(() => new DefectDojoClient({ url: 'https://dd.example.com', token: '' }), /no usable DefectDojo API token/);
  });

  it('supports the releases from 2.30 up to the 3.x line it follows', () => {
    assert.equal(unsupportedVersionReason('3.2.0'), null);
    assert.equal(unsupportedVersionReason('2.30.1'), null);
    assert.match(unsupportedVersionReason('2.9.0') ?? '', /older than 2\.30\.0/);
    assert.match(unsupportedVersionReason('4.0.0') ?? '', /major release this client does not know/);
    assert.match(unsupportedVersionReason('nightly') ?? '', /not a DefectDojo release number/);
  });

  it('validates scanLedger.defectdojo.url the same way in the store and the editor', () => {
    const cases: [string, boolean][] = [
      ['', true],
      ['https://dd.example.com', true],
      ['http://127.0.0.1:8080', true],
      ['http://dd.example.com', false],
      ['https://user:pw@dd.example.com', false],
      ['https://dd.example.com/?token=x', false],
      ['dd.example.com', false],
    ];
    for (const [value, accepted] of cases) {
      assert.equal(validateSettingValue('defectdojo.url', value).ok, accepted, `store: ${value}`);
      const read = readSettings({ get: <T>(key: string) => (key === 'defectdojo.url' ? (value as T) : undefined) });
      assert.equal(read.problems.length === 0, accepted, `editor: ${value}`);
    }
  });

  it('redacts the token wherever it occurs', () => {
    assert.equal(redactToken(`Token ${TOKEN} and ${TOKEN}`, TOKEN), 'Token [redacted] and [redacted]');
  });
});

describe('DefectDojo client against the test double', () => {
  let double: DefectDojoDouble;
  const sleeps: number[] = [];
  const client = (overrides: Partial<ConstructorParameters<typeof DefectDojoClient>[0]> = {}) =>
    new DefectDojoClient({ url: double.url, token: TOKEN, backoffMs: 1, maxRetries: 2, sleep: (ms) => Promise.resolve(void sleeps.push(ms)), ...overrides });

  beforeEach(async () => {
    sleeps.length = 0;
    double = await DefectDojoDouble.start({ token: TOKEN, pageSize: 2 });
  });
  afterEach(() => double.close());

  it('checks the token and the release, sending "Authorization: Token <key>"', async () => {
    const identity = await client().checkServer();
    assert.deepEqual(identity, { userId: 1, username: 'admin', version: '3.2.0' });
    assert.deepEqual(
      double.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /api/v2/user_profile/', 'GET /api/v2/oa3/schema/'],
    );
    assert.ok(double.requests.every((r) => r.authorization === `Token ${TOKEN}`));
  });

  it('reports a refused token as 401 without the token in the message', async () => {
    const wrong = `${TOKEN}-wrong`;
    const error = await rejection(client({ token: wrong }).checkServer());
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.match(error.message, /HTTP 401, the API token was refused.*Invalid token/);
    assert.ok(!error.message.includes(wrong));
  });

  it('refuses a server whose release it does not support', async () => {
    await double.close();
    double = await DefectDojoDouble.start({ token: TOKEN, version: '2.9.3' });
    const error = await rejection(client().checkServer());
    assert.equal(error.kind, 'unsupported-version');
    assert.match(error.message, /DefectDojo 2\.9\.3 is older than 2\.30\.0/);
  });

  it('retries 503 with doubling back-off and succeeds within the bound', async () => {
    double.failNext('GET', '/api/v2/user_profile/', 503, 2);
    await client().checkServer();
    assert.equal(double.requests.filter((r) => r.path === '/api/v2/user_profile/').length, 3);
    assert.deepEqual(sleeps, [1, 2]);
  });

  it('gives up after maxRetries, naming the attempts, and never echoes the token the server echoed', async () => {
    double.failNext('GET', '/api/v2/user_profile/', 502, 10);
    const error = await rejection(client().checkServer());
    assert.equal(error.kind, 'server');
    assert.match(error.message, /HTTP 502, server error after 3 attempts/);
    assert.equal(double.requests.length, 3);
    // The double's error page echoes the Authorization header back.
    assert.match(error.message, /\[redacted\]/);
    assert.ok(!error.message.includes(TOKEN));
  });

  it('honours Retry-After on 429, capped by the longest back-off', async () => {
    double.failNext('GET', '/api/v2/user_profile/', 429, 1, '120');
    await client({ maxBackoffMs: 5000 }).checkServer();
    assert.deepEqual(sleeps, [5000]);
  });

  it('does not send a note twice when the server fails with 500 (it may have stored it)', async () => {
    await client().postForm('/api/v2/reimport-scan/', {
      scan_type: 'Generic Findings Import',
      file: { name: 'generic-v1.json', bytes: REPORT },
      product_name: 'app',
      product_type_name: 'Research',
      engagement_name: 'Local scans',
      auto_create_context: 'true',
    });
    double.failNext('POST', '/api/v2/findings/1/notes/', 500, 5);
    const error = await rejection(client().postJson('/api/v2/findings/1/notes/', { entry: 'Checked.', private: false }));
    assert.equal(error.kind, 'server');
    assert.equal(double.requests.filter((r) => r.path === '/api/v2/findings/1/notes/').length, 1);
  });

  it('reads every page of a list and stays on the configured server', async () => {
    await client().postForm('/api/v2/reimport-scan/', {
      scan_type: 'Generic Findings Import',
      file: { name: 'generic-v1.json', bytes: REPORT },
      product_name: 'app',
      product_type_name: 'Research',
      engagement_name: 'Local scans',
      auto_create_context: 'true',
    });
    const findings = await client().list<{ id: number }>('/api/v2/findings/', { product_name: 'app', limit: 2 });
    assert.deepEqual(findings.map((f) => f.id), [1, 2, 3, 4]);
    assert.deepEqual(
      double.requests.filter((r) => r.path === '/api/v2/findings/').map((r) => r.query.offset ?? '0'),
      ['0', '2'],
    );
  });

  it('reports a 400 with DefectDojo\'s field errors, e.g. a misspelt or missing field', async () => {
    const error = await rejection(
      client().postForm('/api/v2/reimport-scan/', { scan_typ: 'Generic Findings Import', file: { name: 'r.json', bytes: REPORT } }),
    );
    assert.equal(error.kind, 'bad-request');
    assert.match(error.message, /HTTP 400.*scan_typ.*scan_type.*This field is required/);
  });

  it('reports an unknown finding as 404', async () => {
    const error = await rejection(client().patchJson('/api/v2/findings/99/', { active: false }));
    assert.equal(error.kind, 'not-found');
    assert.match(error.message, /PATCH http:\/\/127\.0\.0\.1:\d+\/api\/v2\/findings\/99\/: HTTP 404/);
  });
});

describe('DefectDojo client: hostile or broken servers', () => {
  const quiet = { token: TOKEN, backoffMs: 1, maxRetries: 1, sleep: () => Promise.resolve() };

  it('refuses a pagination link to another origin', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ count: 4, next: 'http://evil.example/api/v2/findings/?offset=2', previous: null, results: [{ id: 1 }] }));
    });
    try {
      const error = await rejection(new DefectDojoClient({ url: server.url, ...quiet }).list('/api/v2/findings/'));
      assert.equal(error.kind, 'protocol');
      assert.match(error.message, /points at http:\/\/evil\.example\/api\/v2\/findings\/, outside the configured server; not followed/);
      assert.equal(server.hits.length, 1);
    } finally {
      await server.close();
    }
  });

  it('does not follow a redirect (it would carry the token elsewhere)', async () => {
    const elsewhere = await rawServer((_req, res) => res.writeHead(200).end('{}'));
    const server = await rawServer((_req, res) => res.writeHead(302, { Location: `${elsewhere.url}/api/v2/user_profile/` }).end());
    try {
      const error = await rejection(new DefectDojoClient({ url: server.url, ...quiet }).getJson('/api/v2/user_profile/'));
      assert.equal(error.kind, 'protocol');
      assert.match(error.message, /redirects \(HTTP 302/);
      assert.equal(elsewhere.hits.length, 0);
    } finally {
      await server.close();
      await elsewhere.close();
    }
  });

  it('reports 403 as a permission problem', async () => {
    const server = await rawServer((_req, res) => res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"detail":"You do not have permission to perform this action."}'));
    try {
      const error = await rejection(new DefectDojoClient({ url: server.url, ...quiet }).getJson('/api/v2/findings/'));
      assert.equal(error.kind, 'forbidden');
      assert.match(error.message, /HTTP 403, the token's user may not do this.*permission/);
    } finally {
      await server.close();
    }
  });

  it('times out a server that never answers, retrying a bounded number of times', async () => {
    const server = await rawServer(() => undefined);
    try {
      const error = await rejection(new DefectDojoClient({ url: server.url, ...quiet, timeoutMs: 150 }).getJson('/api/v2/user_profile/'));
      assert.equal(error.kind, 'timeout');
      assert.equal(server.hits.length, 2);
    } finally {
      await server.close();
    }
  });

  it('reports a server that is not listening as a network error after its retries', async () => {
    const server = await rawServer(() => undefined);
    const url = server.url;
    await server.close();
    const error = await rejection(new DefectDojoClient({ url, ...quiet }).getJson('/api/v2/user_profile/'));
    assert.equal(error.kind, 'network');
    assert.match(error.message, /ECONNREFUSED \(after 2 attempts\)/);
  });
});
