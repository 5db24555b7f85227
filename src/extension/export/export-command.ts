import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ledger } from '../../engine';
import type { Finding } from '../../model';
import { describeError, showError } from '../log';
import type { TreeNode } from '../tree/tree-model';
import type { SessionRegistry, WorkspaceSession } from '../workspace-session';
import { findingsToCsv, findingsToSarif, selectFindingsForSarif } from './export-model';

type ExportFormat = 'sarif' | 'csv';

interface ExportScope {
  session: WorkspaceSession;
  ledger: Ledger;
  findings: Finding[];
  /** For the file name and messages: `app`, `app-local-scans`, `codeql`. */
  name: string;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'findings';
}

/** The findings a tree node stands for: a product, an engagement, a test or one import. */
function scopeOfNode(node: TreeNode, session: WorkspaceSession, ledger: Ledger): ExportScope | undefined {
  const testsOf = (engagementIds: number[]): number[] => ledger.data.tests.filter((t) => engagementIds.includes(t.engagementId)).map((t) => t.id);
  const findingsOfTests = (testIds: number[]): Finding[] => testIds.flatMap((id) => [...ledger.findingsOfTest(id)]);
  switch (node.kind) {
    case 'product': {
      const engagements = ledger.engagementsOfProduct(node.productId).map((e) => e.id);
      return { session, ledger, findings: findingsOfTests(testsOf(engagements)), name: slug(node.label) };
    }
    case 'engagement':
      return { session, ledger, findings: findingsOfTests(testsOf([node.engagementId])), name: slug(`${session.folder.name}-${node.label}`) };
    case 'test':
      return { session, ledger, findings: findingsOfTests([node.testId]), name: slug(`${session.folder.name}-${node.label}`) };
    case 'importRecord': {
      const record = ledger.importsOfTest(node.testId).find((r) => r.id === node.importId);
      const ids = new Set(record?.actions.map((a) => a.findingId) ?? []);
      const findings = [...ledger.findingsOfTest(node.testId)].filter((f) => ids.has(f.id));
      return { session, ledger, findings, name: slug(`${session.folder.name}-import-${node.importId}`) };
    }
    default:
      return undefined;
  }
}

async function pickScope(registry: SessionRegistry, node: unknown): Promise<ExportScope | undefined> {
  if (typeof node === 'object' && node !== null && 'kind' in node && 'folder' in node) {
    const treeNode = node as TreeNode;
    const session = registry.sessionNamed(treeNode.folder);
    const ledger = session?.ledger;
    if (session && ledger) {
      const scope = scopeOfNode(treeNode, session, ledger);
      if (scope) return scope;
    }
  }
  const withStore = registry.sessions().filter((s) => s.ledger);
  if (withStore.length === 0) {
    void vscode.window.showInformationMessage('Scan Ledger has no findings to export yet: import a report first.');
    return undefined;
  }
  let session = withStore[0];
  if (withStore.length > 1) {
    const picked = await vscode.window.showQuickPick(
      withStore.map((s) => ({ label: s.folder.name, description: `${s.ledger?.data.findings.length ?? 0} findings`, session: s })),
      { title: 'Export the findings of which folder?' },
    );
    if (!picked) return undefined;
    session = picked.session;
  }
  const ledger = session.ledger;
  if (!ledger) return undefined;
  return { session, ledger, findings: [...ledger.data.findings], name: slug(session.folder.name) };
}

/**
 * "Export Findings…": asks SARIF or CSV, then where to save, and writes the findings of the
 * clicked tree node (or of a whole folder from the palette).
 */
export async function exportFindings(registry: SessionRegistry, extensionVersion: string, node?: unknown): Promise<void> {
  const scope = await pickScope(registry, node);
  if (!scope) return;
  const choice = await vscode.window.showQuickPick<vscode.QuickPickItem & { format: ExportFormat }>(
    [
      {
        label: 'SARIF 2.1.0',
        description: 'open and triaged findings',
        detail: 'For code scanning dashboards and SARIF viewers; false positives, out-of-scope and risk-accepted findings carry suppressions.',
        format: 'sarif',
      },
      {
        label: 'CSV',
        description: 'every finding, with its status',
        detail: 'DefectDojo’s column names, one finding per row, for spreadsheets.',
        format: 'csv',
      },
    ],
    { title: `Export ${scope.findings.length} findings of ${scope.name} as` },
  );
  if (!choice) return;
  const extension = choice.format === 'sarif' ? 'sarif' : 'csv';
  // The store's folder is the default place: the watcher never looks there, so an exported
  // SARIF file is not imported back as a report of its own.
  const storeFolder = vscode.Uri.file(path.dirname(scope.session.storePath()));
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(storeFolder, `${scope.name}-findings.${extension}`),
    filters: choice.format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { CSV: ['csv'] },
    saveLabel: 'Export',
    title: 'Export Scan Ledger findings',
  });
  if (!target) return;
  try {
    const testsById = scope.ledger.testsById;
    let text: string;
    let count: number;
    if (choice.format === 'sarif') {
      const findings = selectFindingsForSarif(scope.findings);
      count = findings.length;
      const sourceRoot = `${scope.session.folder.uri.toString().replace(/\/+$/, '')}/`;
      const folderPath = scope.session.folder.uri.path;
      text = `${JSON.stringify(findingsToSarif(findings, { testsById, toolVersion: extensionVersion, sourceRoot, folderPath }), null, 2)}\n`;
    } else {
      count = scope.findings.length;
      text = findingsToCsv(scope.findings, { testsById, folderPath: scope.session.folder.uri.path });
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    const open = await vscode.window.showInformationMessage(`Exported ${count} finding${count === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
    if (open === 'Open') await vscode.window.showTextDocument(target);
  } catch (error) {
    void showError(`Scan Ledger could not export to ${target.fsPath}: ${describeError(error)}`, error);
  }
}
