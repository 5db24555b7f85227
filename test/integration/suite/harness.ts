import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanLedgerApi } from '../../../src/extension';
import { buildLineDecorations, type LineDecorationSpec } from '../../../src/extension/decoration-model';
import type { WorkspaceSession } from '../../../src/extension/workspace-session';
import { deleteTest } from '../../../src/engine';
import type { Finding, ImportRecord } from '../../../src/model';
import eslintV1 from '../reports/eslint-v1.sarif';
import eslintV2 from '../reports/eslint-v2.sarif';
import eslintV3 from '../reports/eslint-v3.sarif';
import { storeBytesSync } from '../../store-files';

/**
 * What every extension-host suite shares: the extension's API, the fixture workspace, the
 * ESLint reports (bundled as text, so the suites carry their own fixtures into the editor), and
 * waiting on the extension's state with a deadline instead of sleeping.
 */

export const EXTENSION_ID = 'scan-ledger.scan-ledger';

const REPORTS = { v1: eslintV1, v2: eslintV2, v3: eslintV3 } as const;
export type ReportVersion = keyof typeof REPORTS;

/** The extension, activated, and the API `activate()` returned. */
export async function scanLedger(): Promise<ScanLedgerApi> {
  const extension = vscode.extensions.getExtension<ScanLedgerApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const api = await extension.activate();
  assert.ok(api?.registry, 'activate() returned the Scan Ledger API');
  return api;
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return folder;
}

export function workspacePath(...parts: string[]): string {
  return path.join(workspaceFolder().uri.fsPath, ...parts);
}

/** The fixture folder's session. */
export function sessionOf(api: ScanLedgerApi): WorkspaceSession {
  const session = api.registry.sessionFor(workspaceFolder().uri);
  assert.ok(session, 'the fixture folder has a Scan Ledger session');
  return session;
}

/** One of the real ESLint reports, with its artifact URIs pointing into this workspace. */
export function reportText(version: ReportVersion): string {
  return REPORTS[version].split('%WORKSPACE%').join(workspaceFolder().uri.fsPath);
}

/** Writes a report as a scanner would: the whole file at once, creating its folder. */
export async function writeReport(relPath: string, content: string): Promise<vscode.Uri> {
  const file = workspacePath(relPath);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return vscode.Uri.file(file);
}

/**
 * Polls `probe` until it returns a truthy value, and fails with `what` and the last value seen
 * when the deadline passes. Every wait on the extension's asynchronous work goes through here.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : String(last)})`);
}

/** The imports of the store, oldest first (empty before the store exists). */
export function importsOf(session: WorkspaceSession): ImportRecord[] {
  return [...(session.ledger?.data.imports ?? [])].sort((a, b) => a.id - b.id);
}

/** Waits until the store holds `count` imports and the queue is idle, and returns the newest. */
export async function waitForImportCount(api: ScanLedgerApi, count: number, what: string): Promise<ImportRecord> {
  const session = sessionOf(api);
  await waitFor(`${what} (import #${count} in the store; have ${importsOf(session).length})`, () => importsOf(session).length >= count, 30_000);
  await waitFor(`${what}: the import queue to settle`, () => !api.queue.busy);
  await api.queue.idle();
  const imports = importsOf(session);
  assert.equal(imports.length, count, `${what}: exactly ${count} imports in the store`);
  return imports[imports.length - 1];
}

/** The findings of one test, by rule id (the ESLint reports have one result per rule). */
export function findingsByRule(session: WorkspaceSession, testId: number): Map<string, Finding> {
  const ledger = session.ledger;
  assert.ok(ledger, 'the store is open');
  const byRule = new Map<string, Finding>();
  for (const f of ledger.findingsOfTest(testId)) {
    const rule = f.location?.ruleId ?? f.vulnIdFromTool ?? '';
    assert.ok(!byRule.has(rule), `one finding per rule in test #${testId} (${rule})`);
    byRule.set(rule, f);
  }
  return byRule;
}

export const RULES = {
  eval: 'security/detect-eval-with-expression',
  fs: 'security/detect-non-literal-fs-filename',
  regexp: 'security/detect-non-literal-regexp',
  childProcess: 'security/detect-child-process',
} as const;

/** 1-based lines of the flagged code in `workspace/src/app.js`. */
export const LINES = { eval: 6, fs: 11, regexp: 15, childProcess: 20 } as const;

export function finding(findings: Map<string, Finding>, rule: string): Finding {
  const f = findings.get(rule);
  assert.ok(f, `a finding for ${rule}`);
  return f;
}

/** The store's bytes (index, per-test documents and journal), or null when there is none. */
export async function storeBytes(session: WorkspaceSession): Promise<Buffer | null> {
  return Promise.resolve(storeBytesSync(session.storePath()));
}

/** The queue has run everything it was given, debounced jobs included. */
export async function queueSettled(api: ScanLedgerApi): Promise<void> {
  await waitFor('the import queue to settle', () => !api.queue.busy, 30_000);
  await api.queue.idle();
}

/**
 * The API and the fixture folder's session once activation's start-up work and the import
 * queue have settled: where a suite that imports reports of its own begins.
 */
export async function settledSession(): Promise<{ api: ScanLedgerApi; session: WorkspaceSession }> {
  const api = await scanLedger();
  await api.ready;
  const session = sessionOf(api);
  await queueSettled(api);
  return { api, session };
}

/**
 * Deletes the tests a suite created (ids not yet known are skipped), so the suites after it and
 * the UI checks find the workspace as the earlier suites left it.
 */
export async function deleteSuiteTests(session: WorkspaceSession, ...testIds: (number | undefined)[]): Promise<void> {
  for (const id of testIds) {
    if (id === undefined) continue;
    await session.update('delete', (ledger, ctx) => deleteTest(ledger, id, ctx));
  }
}

/**
 * The line decorations the editor computes for an open document, closed findings hidden, as
 * the decorator draws them; fails when the document has no findings.
 */
export function lineDecorationsOf(api: ScanLedgerApi, document: vscode.TextDocument): LineDecorationSpec[] {
  const found = api.documents.findingsOf(document);
  assert.ok(found, `${document.uri.fsPath} has findings`);
  return buildLineDecorations({
    findings: found.findings,
    lineOf: (f) => api.documents.lineOf(document, found.findings, f),
    reactivatedBy: found.session.reactivatedBy(),
    showClosed: false,
    lineCount: document.lineCount,
  });
}
