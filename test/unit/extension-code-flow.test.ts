import { strict as assert } from 'node:assert';
import { flowStepsOf, stepLinkTarget } from '../../src/extension/code-flow-model';
import { buildFindingHover, flowSection, TRIAGE_COMMAND_IDS } from '../../src/extension/hover-model';
import { storedFinding } from './extension-finding-factory';

const ROOT = '/work/repo';
const FOLDER = 'file:///work/repo';

describe('extension SARIF code flows and related locations (issue 11)', () => {
  const f = storedFinding(3, {
    location: {
      codeFlow: [
        { filePath: 'src/routes/search.js', line: 12, column: 5, message: 'req.query.q flows in' },
        { filePath: '/etc/passwd', line: 1, message: 'outside' },
        { filePath: `${ROOT}/src/db.js`, line: 40, message: 'sink:   db.query(sql)' },
      ],
      relatedLocations: [
        { filePath: '../../secret.txt', line: 2 },
        { filePath: 'src/sanitise.js', line: 7, message: null },
      ],
    },
  });

  it('lists the code-flow steps, then the related locations, inside the folder only, numbered as in the report', () => {
    assert.deepEqual(flowStepsOf(f, ROOT), [
      { kind: 'step', relPath: 'src/routes/search.js', line: 12, column: 5, label: 'Step 1/3: req.query.q flows in' },
      { kind: 'step', relPath: 'src/db.js', line: 40, label: 'Step 3/3: sink: db.query(sql)' },
      { kind: 'related', relPath: 'src/sanitise.js', line: 7, label: 'Related location' },
    ]);
    assert.deepEqual(flowStepsOf(storedFinding(4), ROOT), [], 'a finding without code flow has no steps');
  });

  it('bounds a step’s message and starts a step without a line at line 1', () => {
    const [step] = flowStepsOf(storedFinding(5, { location: { codeFlow: [{ filePath: 'a.js', message: 'x'.repeat(5000) }] } }), ROOT);
    assert.equal(step.line, 1);
    assert.ok(step.label.length < 260, `label of ${step.label.length} characters`);
  });

  it('links a step to its file and line; every character markdown or the URI could misread is encoded', () => {
    assert.equal(stepLinkTarget(FOLDER, { kind: 'step', relPath: 'src/a b(1).js', line: 9, column: 2, label: '' }), 'file:///work/repo/src/a%20b%281%29.js#L9,2');
    assert.equal(stepLinkTarget(`${FOLDER}/`, { kind: 'related', relPath: 'x/[y]).js', line: 3, label: '' }), 'file:///work/repo/x/%5By%5D%29.js#L3');
  });

  it('shows the steps in the hover as links into the folder, with escaped labels, and no other link a report could inject', () => {
    const evil = storedFinding(6, {
      location: {
        codeFlow: [
          { filePath: 'src/a.js)[x](command:workbench.action.terminal.new', line: 1, message: '[click](command:workbench.action.terminal.new) <img src=x>' },
          { filePath: 'javascript:alert(1)', line: 2, message: 'js' },
        ],
      },
    });
    const steps = flowStepsOf(evil, ROOT);
    const md = buildFindingHover({ finding: evil, folder: FOLDER, testLabel: 'SARIF', duplicateOf: null, duplicates: [], reactivatedByImport: null, history: [], flowSteps: steps });
    const targets = [...md.matchAll(/(?<!\\)\]\(([^)\s]*)/g)].map((m) => m[1]);
    for (const target of targets) {
      const allowed = target.startsWith(`${FOLDER}/`) || TRIAGE_COMMAND_IDS.some((id) => target.startsWith(`command:${id}?`));
      assert.ok(allowed, `unexpected link target ${target}`);
    }
    assert.ok(targets.some((t) => t.startsWith(`${FOLDER}/src/a.js%29%5Bx%5D%28command%3A`)), 'the odd path is one encoded file link');
    assert.ok(md.includes('\\<img') && !/[^\\]<img/.test(md), 'HTML is escaped');
  });

  it('lists at most twelve steps in the hover and says how many more the Problems panel has', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ kind: 'step' as const, relPath: 'a.js', line: i + 1, label: `Step ${i + 1}/20` }));
    const section = flowSection(FOLDER, many) ?? '';
    assert.equal((section.match(/\]\(file:/g) ?? []).length, 12);
    assert.match(section, /and 8 more \(Problems panel\)$/);
    assert.equal(flowSection(FOLDER, []), null);
  });
});
