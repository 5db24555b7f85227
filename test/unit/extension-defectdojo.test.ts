import { strict as assert } from 'node:assert';
import { serverKey, serverRow } from '../../src/extension/defectdojo/server-node-model';

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
