import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { SharedTriageFormatError } from '../../src/engine';
import { StoreError, StoreUnreadableError } from '../../src/store/errors';
import { LedgerStore, type SetAsideEvent } from '../../src/store/ledger-store';
import { cleanSharedTriageTemporaries, readSharedTriage } from '../../src/store/shared-triage-file';
import { ensureTest, makeFinding } from '../store-workers/fixtures';
import { singleDocumentOf, storeFiles, writeSingleDocument } from '../store-files';

/** Issue 16, items 4, 9, 10 (store side) and 13: what a crash, a full disk or a broken file leaves. */
describe('store: faults (issue 16)', () => {
  let root: string;
  let storePath: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'sl-faults-'));
    storePath = path.join(root, '.scan-ledger', 'store.json');
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  /** A store holding one finding, returned as its parsed document for the test to break. */
  async function storeDocument(): Promise<Record<string, unknown> & { findings: Record<string, unknown>[] }> {
    const store = await LedgerStore.open(storePath, { fsync: false });
    await store.transaction((ledger) => {
      const f = makeFinding(ledger.nextId('finding'), ensureTest(ledger), 1, 'd');
      f.notes = [{ id: 1, at: '2026-01-01T00:00:00.000Z', author: 'ana', text: 'a note' }];
      ledger.addFinding(f);
    });
    await store.close();
    return singleDocumentOf(storePath);
  }

  describe('item 9: a stored field of the wrong shape sets the store aside instead of crashing a command', () => {
    const cases: [string, (f: Record<string, unknown>) => void, RegExp][] = [
      ['a number as title', (f) => (f.title = 42), /findings\[0\]\.title/],
      ['an object as title', (f) => (f.title = { text: 'x' }), /findings\[0\]\.title/],
      ['a missing title', (f) => delete f.title, /findings\[0\]\.title/],
      ['severity null', (f) => (f.severity = null), /findings\[0\]\.severity/],
      ['an unknown severity', (f) => (f.severity = 'Catastrophic'), /findings\[0\]\.severity/],
      ['audit null', (f) => (f.audit = null), /findings\[0\]\.audit/],
      ['audit a string', (f) => (f.audit = 'none'), /findings\[0\]\.audit/],
      ['an audit entry null', (f) => (f.audit = [null]), /findings\[0\]\.audit\[0\]/],
      ['notes [null]', (f) => (f.notes = [null]), /findings\[0\]\.notes\[0\]/],
      ['a note with a number as text', (f) => (f.notes = [{ id: 1, at: 'x', author: 'a', text: 7 }]), /findings\[0\]\.notes\[0\]/],
      ['tags a string', (f) => (f.tags = 'a,b'), /findings\[0\]\.tags/],
      ['vulnerabilityIds [null]', (f) => (f.vulnerabilityIds = [null]), /findings\[0\]\.vulnerabilityIds/],
      ['filePath a number', (f) => (f.filePath = 3), /findings\[0\]\.filePath/],
      ['falsePositive a string', (f) => (f.falsePositive = 'yes'), /findings\[0\]\.falsePositive/],
      ['location a string', (f) => (f.location = 'src/a.ts'), /findings\[0\]\.location/],
      ['line a string', (f) => (f.line = '12'), /findings\[0\]\.line/],
    ];
    for (const [label, breakIt, reason] of cases) {
      it(`item 9: ${label} is set aside with the reason, and the store starts empty`, async () => {
        const document = await storeDocument();
        breakIt(document.findings[0]);
        const bytes = await writeSingleDocument(storePath, document);
        const events: SetAsideEvent[] = [];
        const store = await LedgerStore.open(storePath, { fsync: false, onSetAside: (e) => events.push(e) });
        assert.equal(events.length, 1);
        assert.match(events[0].reason, reason);
        assert.equal(await fs.readFile(events[0].to, 'utf8'), bytes, 'the bytes are kept');
        assert.equal(store.ledger.data.findings.length, 0);
        assert.deepEqual(store.unreadableOnOpen, events[0]);
      });
    }

    it('item 9: a store with every field in shape loads as before', async () => {
      await storeDocument();
      const store = await LedgerStore.open(storePath, { fsync: false });
      assert.equal(store.ledger.data.findings.length, 1);
      assert.equal(store.unreadableOnOpen, null);
    });
  });

  describe('item 10 (store side): a caller can refuse to carry on with an empty store', () => {
    beforeEach(async () => {
      await fs.mkdir(path.dirname(storePath), { recursive: true });
      await fs.writeFile(storePath, '{"schemaVersion": 1, "findings": [');
    });

    it("onUnreadable 'set-aside-and-fail' moves the file aside and throws StoreUnreadableError naming where it went", async () => {
      const events: SetAsideEvent[] = [];
      await assert.rejects(LedgerStore.open(storePath, { fsync: false, onUnreadable: 'set-aside-and-fail', onSetAside: (e) => events.push(e) }), (error: unknown) => {
        assert.ok(error instanceof StoreUnreadableError);
        assert.equal(error.setAsideTo, events[0].to);
        return true;
      });
      await assert.rejects(fs.access(storePath));
    });

    it("onUnreadable 'fail' leaves the file where it is", async () => {
      await assert.rejects(LedgerStore.open(storePath, { fsync: false, onUnreadable: 'fail' }), (error: unknown) => error instanceof StoreUnreadableError && error.setAsideTo === null);
      assert.equal(await fs.readFile(storePath, 'utf8'), '{"schemaVersion": 1, "findings": [');
    });
  });

  describe('item 4: temporaries of killed writers are removed', () => {
    it('item 4: a store temporary left by a killed writer is removed on open', async () => {
      await storeDocument();
      const temp = path.join(path.dirname(storePath), '.store.json.tmp');
      await fs.writeFile(temp, '{"half a store');
      await (await LedgerStore.open(storePath, { fsync: false })).close();
      await assert.rejects(fs.access(temp));
    });

    it('item 4: triage.json temporaries are removed on open of the workspace, and other files are kept', async () => {
      const dir = path.join(root, '.scan-ledger');
      await fs.mkdir(dir, { recursive: true });
      const temps = ['.triage.json.4242.abcd0123.tmp', '.triage.json.1.ffff0000.tmp'];
      for (const name of temps) await fs.writeFile(path.join(dir, name), '{');
      await fs.writeFile(path.join(dir, 'triage.json.tmp-notes'), 'mine');
      await cleanSharedTriageTemporaries(root);
      assert.deepEqual(await fs.readdir(dir), ['triage.json.tmp-notes']);
    });
  });

  describe('item 13: a triage.json that is no triage file is a bad input; a failed write leaves no temporary', () => {
    it('item 13: a triage.json over the size limit is a SharedTriageFormatError (the CLI maps it to exit 2)', async () => {
      const file = path.join(root, '.scan-ledger', 'triage.json');
      await fs.mkdir(path.dirname(file), { recursive: true });
      const handle = await fs.open(file, 'w');
      await handle.truncate(33 * 1024 * 1024);
      await handle.close();
      await assert.rejects(readSharedTriage(root), (e: unknown) => e instanceof SharedTriageFormatError && /over the 32 MB limit/.test(e.message));
    });

    it('item 13: a triage.json that is a folder or a named pipe is a SharedTriageFormatError, and reading it does not block', async () => {
      const file = path.join(root, '.scan-ledger', 'triage.json');
      await fs.mkdir(file, { recursive: true });
      await assert.rejects(readSharedTriage(root), (e: unknown) => e instanceof SharedTriageFormatError && /not a regular file/.test(e.message));
      if (process.platform === 'win32') return;
      await fs.rmdir(file);
      execFileSync('mkfifo', [file]);
      await assert.rejects(readSharedTriage(root), (e: unknown) => e instanceof SharedTriageFormatError && /not a regular file/.test(e.message));
    });

    it('item 13: a write that fails half way (a full disk) removes its partial .store.json.tmp and keeps the store', async () => {
      await storeDocument();
      const before = await storeFiles(storePath);
      const store = await LedgerStore.open(storePath, { fsync: false });
      const promises = fsSync.promises as unknown as Record<string, unknown>;
      const original = promises.writeFile as typeof fs.writeFile;
      // steno writes the temporary with fs/promises' writeFile; this one writes half and fails.
      promises.writeFile = async (file: Parameters<typeof fs.writeFile>[0], data: string) => {
        if (typeof file === 'string' && file.endsWith('.store.json.tmp')) {
          await original(file, data.slice(0, Math.floor(data.length / 2)));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return original(file, data);
      };
      syncBuiltinESMExports();
      try {
        await assert.rejects(
          store.transaction((ledger) => ledger.addFinding(makeFinding(ledger.nextId('finding'), ensureTest(ledger), 2, 'd'))),
          (e: unknown) => e instanceof StoreError && /ENOSPC/.test((e as Error).message),
        );
      } finally {
        promises.writeFile = original;
        syncBuiltinESMExports();
      }
      await assert.rejects(fs.access(path.join(path.dirname(storePath), '.store.json.tmp')), 'the partial temporary is gone');
      assert.deepEqual(await storeFiles(storePath), before);
      assert.equal(store.ledger.data.findings.length, 1);
    });
  });
});
