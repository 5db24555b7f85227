import { strict as assert } from 'node:assert';
import { isNonInteractive, parseConnectArguments, serverUrlProblem, tokenProblem } from '../../src/extension/defectdojo/connect-arguments';
import { serverKey, serverRow } from '../../src/extension/defectdojo/server-node-model';

/** The message parseConnectArguments refuses `arg` with; fails the test when it accepts it. */
function refusal(arg: unknown): string {
  const result = parseConnectArguments(arg);
  if (typeof result !== 'string') assert.fail(`expected a refusal, got ${JSON.stringify(result)}`);
  return result;
}

describe('the tree row of the DefectDojo server (issue 14)', () => {
  const folder = 'file:///work/app';

  it('names the server by the key the sync state uses: origin and path prefix, no trailing slash', () => {
    assert.equal(serverKey('https://dd.example.com/'), 'https://dd.example.com');
    assert.equal(serverKey('https://dd.example.com/defectdojo/'), 'https://dd.example.com/defectdojo');
    assert.equal(serverKey('not a url'), null);
  });

  it('shows no row without a configured server', () => {
    assert.equal(serverRow(folder, 'app', '', undefined, false), null);
  });

  it('shows the last sync and the matched findings of a connected server', () => {
    const row = serverRow(
      folder,
      'app',
      'https://dd.example.com/',
      { defectdojoSync: { 'https://dd.example.com': { lastSync: '2026-05-04T13:07:55.000Z', links: { '1': { serverId: 7, agreed: 'active' } }, sentNotes: [] } } },
      true,
    );
    assert.deepEqual(row, {
      key: `${folder}#defectdojo`,
      folder,
      label: 'DefectDojo: dd.example.com',
      description: 'last sync 2026-05-04 13:07 UTC',
      tooltip: 'app syncs with https://dd.example.com.\nLast sync 2026-05-04 13:07 UTC; 1 finding(s) matched.',
    });
  });

  it('asks to connect when no token is stored for the configured server', () => {
    const row = serverRow(folder, 'app', 'https://dd.example.com', undefined, false);
    assert.equal(row?.description, 'not connected — run "Connect to DefectDojo…"');
    assert.match(row?.tooltip ?? '', /No API token is stored for this server\./);
  });
});

describe('the arguments of "Connect to DefectDojo…" (issue 14)', () => {
  const token = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';

  it('takes no argument from the palette: both values are asked for', () => {
    for (const arg of [undefined, null]) {
      const args = parseConnectArguments(arg);
      assert.deepEqual(args, {});
      assert.equal(typeof args !== 'string' && isNonInteractive(args), false);
    }
  });

  it('connects without prompts only when both the URL and the token are given', () => {
    const both = parseConnectArguments({ folder: ' app ', url: ' http://127.0.0.1:8080/ ', token: ` ${token} ` });
    assert.deepEqual(both, { folder: 'app', url: 'http://127.0.0.1:8080/', token });
    assert.equal(typeof both !== 'string' && isNonInteractive(both), true);
    // A URL alone only pre-fills the box: the user still confirms where their token goes.
    const urlOnly = parseConnectArguments({ url: 'https://dd.example.com' });
    assert.equal(typeof urlOnly !== 'string' && isNonInteractive(urlOnly), false);
    const tokenOnly = parseConnectArguments({ token });
    assert.equal(typeof tokenOnly !== 'string' && isNonInteractive(tokenOnly), false);
    assert.deepEqual(parseConnectArguments({ folder: '' }), {}, 'an empty folder means none');
  });

  it('refuses URLs the client refuses: plain http off loopback, credentials, no URL at all', () => {
    assert.match(refusal({ url: 'http://dd.example.com', token }), /must use https/);
    assert.match(refusal({ url: 'https://admin:pw@dd.example.com', token }), /user name or password/);
    assert.match(refusal({ url: 'dd.example.com', token }), /is not a URL/);
    assert.equal(serverUrlProblem('https://dd.example.com/defectdojo/'), null);
    assert.equal(serverUrlProblem('http://localhost:8080'), null);
  });

  it('refuses an unusable token without ever repeating it', () => {
    for (const bad of ['', '   ', `${token} extra`]) {
      const problem = refusal({ url: 'https://dd.example.com', token: bad });
      assert.ok(!problem.includes(token), 'the message does not contain the token');
    }
    assert.equal(tokenProblem(token), null);
    assert.equal(tokenProblem('two words'), 'An API key is one word without spaces.');
  });

  it('refuses other shapes and misspelt fields instead of falling back to the prompts', () => {
    assert.match(refusal('https://dd.example.com'), /must be an object/);
    assert.match(refusal([token]), /must be an object/);
    assert.match(refusal({ url: 'https://dd.example.com', apiKey: token }), /unknown argument field\(s\): apiKey/);
    assert.match(refusal({ url: 42 }), /"url" must be a string/);
    assert.ok(!refusal({ url: 'https://dd.example.com', apiKey: token }).includes(token));
  });
});
