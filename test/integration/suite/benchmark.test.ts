import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { EXTENSION_ID, lineDecorationsOf, sessionOf, waitFor, workspacePath } from './harness';
import { storeSizeSync } from '../../store-files';

/**
 * Activation cost, measured inside a real extension host. Run only by the e2e runner's
 * "activation" session (title prefix `benchmark`), whose workspace holds a 10,000-finding store
 * (or SCAN_LEDGER_ACTIVATION_FINDINGS findings, as the runner was told)
 * and whose copy of the manifest has no activation events, so the extension starts when this
 * suite calls `activate()` and not before. It records timings; it asserts only that activation
 * completes and that the editor gets the big file's findings, never how fast.
 */
const STORE_FINDINGS = Number(process.env.SCAN_LEDGER_ACTIVATION_FINDINGS ?? 10_000);

describe(`benchmark: activation with a ${STORE_FINDINGS / 1000}k-finding store`, function () {
  // A store ten times the default takes ten times as long to open on a loaded machine.
  this.timeout(Math.max(60_000, STORE_FINDINGS * 6));
  it('benchmark: activates, draws a file with 1,000 findings ahead of the store, then opens the store', async () => {
    const extension = vscode.extensions.getExtension<ScanLedgerApi>(EXTENSION_ID);
    assert.ok(extension);
    assert.equal(extension.isActive, false, 'the measurement starts before activation');
    const document = await vscode.workspace.openTextDocument(workspacePath('src', 'big.js'));
    await vscode.window.showTextDocument(document);

    const started = performance.now();
    const api = await extension.activate();
    const activated = performance.now();
    const session = sessionOf(api);
    // FindingDecorations listens to the registry before this listener does, so by the time a
    // change reaches here the visible editor has been decorated: first from the findings of the
    // shown file read ahead of the store ('preview'), then from the open store ('open').
    let decorated = session.ledger ? activated : 0;
    let previewed = 0;
    let previewFindings = -1;
    const listener = api.registry.onDidChange((change) => {
      if (change.kind === 'preview' && previewed === 0) {
        previewed = performance.now();
        previewFindings = api.documents.findingsOf(document, true)?.findings.length ?? -1;
      }
      if (change.kind === 'open' && decorated === 0) decorated = performance.now();
    });
    await api.ready;
    const ready = performance.now();
    listener.dispose();
    await waitFor('the store to be open', () => session.ledger);

    const found = api.documents.findingsOf(document);
    assert.ok(found);
    const modelStarted = performance.now();
    const specs = lineDecorationsOf(api, document);
    const modelMs = performance.now() - modelStarted;
    assert.equal(session.ledger?.data.findings.length, STORE_FINDINGS, `the store holds ${STORE_FINDINGS} findings`);
    assert.equal(found.findings.length, 1_000, 'src/big.js has 1,000 findings');
    assert.equal(specs.length, 1_000, 'one decorated line per finding');
    assert.ok(decorated > 0, 'the store was opened after activation');
    assert.ok(previewed > 0 && previewed <= decorated, 'the shown file was drawn before the store was open');
    assert.equal(previewFindings, 1_000, "the preview held all of src/big.js's findings");

    const round = (ms: number): number => Math.round(ms * 10) / 10;
    const measurement = {
      storeFindings: session.ledger?.data.findings.length,
      storeBytes: storeSizeSync(session.storePath()),
      fileFindings: found.findings.length,
      activateMs: round(activated - started),
      firstDecorationsMs: round(previewed - started),
      decorationsMs: round(decorated - started),
      readyMs: round(ready - started),
      decorationModelMs: round(modelMs),
      vscodeVersion: vscode.version,
      nodeVersion: process.version,
    };
    const out = process.env.SCAN_LEDGER_ACTIVATION_RESULTS;
    if (out) await fs.writeFile(out, `${JSON.stringify(measurement, null, 2)}\n`);
    console.log(`activation: ${JSON.stringify(measurement)}`);
  });
});
